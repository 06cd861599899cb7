import { createTRPCRouter } from "../trpc.ts";

/** Classifiers of the caller's group (and global ones): list, detail with CV metrics, training. */
export const classifiersRouter = createTRPCRouter({});
