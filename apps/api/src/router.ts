import { adminRouter } from "./routers/admin.ts";
import { authRouter } from "./routers/auth.ts";
import { classificationRouter } from "./routers/classification.ts";
import { classifiersRouter } from "./routers/classifiers.ts";
import { clusteringRouter } from "./routers/clustering.ts";
import { dashboardRouter } from "./routers/dashboard.ts";
import { groupsRouter } from "./routers/groups.ts";
import { jobsRouter } from "./routers/jobs.ts";
import { notificationsRouter } from "./routers/notifications.ts";
import { profileRouter } from "./routers/profile.ts";
import { projectsRouter } from "./routers/projects.ts";
import { recordingsRouter } from "./routers/recordings.ts";
import { segmentationRouter } from "./routers/segmentation.ts";
import { speciesRouter } from "./routers/species.ts";
import { tasksRouter } from "./routers/tasks.ts";
import { taxonomyRouter } from "./routers/taxonomy.ts";
import { createCallerFactory, createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  groups: groupsRouter,
  projects: projectsRouter,
  species: speciesRouter,
  profile: profileRouter,
  recordings: recordingsRouter,
  segmentation: segmentationRouter,
  classification: classificationRouter,
  classifiers: classifiersRouter,
  tasks: tasksRouter,
  clustering: clusteringRouter,
  taxonomy: taxonomyRouter,
  jobs: jobsRouter,
  notifications: notificationsRouter,
  dashboard: dashboardRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
