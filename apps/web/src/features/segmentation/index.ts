export { NotificationsBell } from "./NotificationsBell";
export { SegmentationEditorPage } from "./SegmentationEditorPage";
export { SegmentationOverviewPage } from "./SegmentationOverviewPage";
