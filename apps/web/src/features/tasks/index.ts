export { AnnotatePage } from "./AnnotatePage";
export { BatchesPage } from "./BatchesPage";
export { BatchPage } from "./BatchPage";
