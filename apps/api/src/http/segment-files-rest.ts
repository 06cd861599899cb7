// REST v1 routes for scripts: read segmentations and their segments. Spread into REST_ROUTES
// (rest/routes.ts) so they are registered and documented like the others; the multipart import
// lives in segment-files.ts.
import {
  listSegmentations,
  listSegments,
  ZId,
  ZListSegmentationsResponse,
  ZListSegmentsResponse,
} from "@battycoda/core";
import { z } from "zod";
import type { RestRoute } from "../rest/routes.ts";

export const SEGMENTATION_REST_ROUTES: RestRoute[] = [
  {
    method: "GET",
    path: "/api/v1/recordings/:recordingId/segmentations",
    operationId: "listSegmentations",
    summary: "Segmentations of a recording (active first), with status and segment counts",
    tag: "segmentation",
    params: z.object({ recordingId: ZId }),
    response: ZListSegmentationsResponse,
    async handler(ctx, { params }) {
      return listSegmentations(ctx.deps.db, await ctx.access(), params.recordingId);
    },
  },
  {
    method: "GET",
    path: "/api/v1/segmentations/:segmentationId/segments",
    operationId: "listSegments",
    summary: "Segments of a segmentation in time order (seconds, Hz), paginated; search in notes and labels",
    tag: "segmentation",
    params: z.object({ segmentationId: ZId }),
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      pageSize: z.coerce.number().int().min(1).max(1000).default(1000),
      search: z.string().trim().max(200).optional(),
    }),
    response: ZListSegmentsResponse,
    async handler(ctx, { params, query }) {
      return listSegments(ctx.deps.db, await ctx.access(), {
        segmentationId: params.segmentationId,
        ...query,
      });
    },
  },
];
