export { ClusteringPage } from "./ClusteringPage";
export { ExplorerPage } from "./ExplorerPage";
