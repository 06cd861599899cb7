import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { PageHeader } from "./components/ui";
import { ClassificationPage, ClassifierPage, ClassifiersPage, RunPage } from "./features/classification";
import { ExplorerPage as ClusteringExplorerPage, ClusteringPage } from "./features/clustering";
import { JobsPage } from "./features/jobs/JobsPage";
import { DuplicatesPage } from "./features/recordings/DuplicatesPage";
import { RecordingPage } from "./features/recordings/RecordingPage";
import { RecordingsPage } from "./features/recordings/RecordingsPage";
import { SegmentationEditorPage, SegmentationOverviewPage } from "./features/segmentation";
import { AnnotatePage, BatchPage } from "./features/tasks";
import { UploadPage } from "./features/uploads/UploadPage";
import { RedirectIfAuthed, RequireAuth, ThemeSync, useUser } from "./lib/session";
import { makeQueryClient, makeTrpcClient, TRPCProvider } from "./lib/trpc";
import { AcceptInvitationPage } from "./pages/AcceptInvitation";
import {
  CodeLoginPage,
  ConfirmEmailPage,
  ConfirmRegistrationPage,
  ForgotPasswordPage,
  LoginPage,
  MagicLinkPage,
  RegisterPage,
  ResetPasswordPage,
} from "./pages/auth";
import { DashboardPage } from "./pages/Dashboard";
import { GroupsPage } from "./pages/Groups";
import { NotificationsPage } from "./pages/Notifications";
import { ProfilePage } from "./pages/Profile";
import { ProjectDetailPage, ProjectsPage } from "./pages/Projects";
import { NewSpeciesPage, SpeciesDetailPage, SpeciesListPage } from "./pages/Species";
import { AdminPage, TasksPage } from "./pages/Workflow";

function SiteAdminOnly({ children }: { children: React.ReactNode }) {
  const user = useUser();
  if (!user.isSiteAdmin) return <NotFound />;
  return <>{children}</>;
}

function NotFound() {
  return (
    <div className="stack">
      <PageHeader title="Page not found" description="There is nothing at this address." />
      <Link to="/">Go to the dashboard</Link>
    </div>
  );
}

export function App() {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(makeTrpcClient);
  return (
    <ErrorBoundary>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <ThemeSync />
          <BrowserRouter>
            <Routes>
              {/* Signed-out pages (a signed-in visitor is sent on to the app). */}
              <Route element={<RedirectIfAuthed />}>
                <Route path="/login" element={<LoginPage />} />
                <Route path="/login/code" element={<CodeLoginPage />} />
                <Route path="/register" element={<RegisterPage />} />
                <Route path="/forgot-password" element={<ForgotPasswordPage />} />
              </Route>
              {/* Token links from emails work either way. Paths match the API's MAGIC_LINK_PATH,
                PASSWORD_RESET_PATH and INVITATION_ACCEPT_PATH. */}
              <Route path="/login/magic" element={<MagicLinkPage />} />
              <Route path="/reset-password" element={<ResetPasswordPage />} />
              <Route path="/confirm-email" element={<ConfirmEmailPage />} />
              <Route path="/register/confirm" element={<ConfirmRegistrationPage />} />
              <Route path="/invitations/accept" element={<AcceptInvitationPage />} />

              <Route element={<RequireAuth />}>
                <Route element={<Layout />}>
                  <Route index element={<DashboardPage />} />
                  <Route path="groups" element={<GroupsPage />} />
                  <Route path="projects" element={<ProjectsPage />} />
                  <Route path="projects/:projectId" element={<ProjectDetailPage />} />
                  <Route path="species" element={<SpeciesListPage />} />
                  <Route path="species/new" element={<NewSpeciesPage />} />
                  <Route path="species/:speciesId" element={<SpeciesDetailPage />} />
                  <Route path="profile" element={<ProfilePage />} />
                  <Route path="recordings" element={<RecordingsPage />} />
                  <Route path="recordings/upload" element={<UploadPage />} />
                  <Route path="recordings/duplicates" element={<DuplicatesPage />} />
                  <Route path="recordings/:recordingId" element={<RecordingPage />} />
                  <Route path="segmentation" element={<SegmentationOverviewPage />} />
                  <Route path="recordings/:recordingId/segmentation" element={<SegmentationEditorPage />} />
                  <Route path="classification" element={<ClassificationPage />} />
                  <Route path="classification/runs/:runId" element={<RunPage />} />
                  <Route path="classification/classifiers" element={<ClassifiersPage />} />
                  <Route path="classification/classifiers/:classifierId" element={<ClassifierPage />} />
                  <Route path="tasks" element={<TasksPage />} />
                  <Route path="tasks/batches/:batchId" element={<BatchPage />} />
                  <Route path="tasks/batches/:batchId/annotate" element={<AnnotatePage />} />
                  <Route path="clustering" element={<ClusteringPage />} />
                  <Route path="clustering/runs/:runId" element={<ClusteringExplorerPage />} />
                  <Route path="jobs" element={<JobsPage />} />
                  <Route path="notifications" element={<NotificationsPage />} />
                  <Route
                    path="admin"
                    element={
                      <SiteAdminOnly>
                        <AdminPage />
                      </SiteAdminOnly>
                    }
                  />
                  <Route path="dashboard" element={<Navigate to="/" replace />} />
                  <Route path="*" element={<NotFound />} />
                </Route>
              </Route>
            </Routes>
          </BrowserRouter>
        </TRPCProvider>
      </QueryClientProvider>
    </ErrorBoundary>
  );
}
