export { ClassificationPage } from "./ClassificationPage";
export { ClassifierPage } from "./ClassifierPage";
export { ClassifiersPage } from "./ClassifiersPage";
export { RunPage } from "./RunPage";
