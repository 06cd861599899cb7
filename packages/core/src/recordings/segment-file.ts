import type { GroupAccess } from "../access/access.ts";
import type { CoreContext, MediaContext } from "../access/context.ts";
import type { DbOrTx } from "../access/db.ts";
import { DomainError } from "../access/errors.ts";
import { importSegments } from "../segmentation/import.ts";
import type { TSegmentImportResult } from "./recordings.schemas.ts";

/**
 * Imports a segment file uploaded with a recording as a new, active segmentation (source
 * "import") through the segmentation module. A bad file is reported with its reason and never
 * undoes the recording: the upload of the audio succeeded either way.
 */
export async function attachSegmentFile(
  { db, media, boss }: MediaContext & Partial<Pick<CoreContext, "boss">>,
  access: GroupAccess,
  recordingId: string,
  fileName: string,
  bytes: Uint8Array,
): Promise<TSegmentImportResult> {
  try {
    const r = await importSegments({ db, boss }, access, {
      recordingId,
      fileName,
      content: bytes,
      mode: "new",
      name: fileName.replace(/\\/g, "/").split("/").pop() ?? fileName,
      makeActive: true,
      media,
    });
    const warnings = [...r.warnings, ...r.outside.map((o) => `row ${o.index}: ${o.message}`)];
    return {
      status: "imported",
      segmentFile: fileName,
      count: r.imported,
      segmentationId: r.segmentationId,
      ...(warnings.length ? { warnings: warnings.slice(0, 50) } : {}),
    };
  } catch (err) {
    if (err instanceof DomainError) return { status: "failed", segmentFile: fileName, reason: err.message };
    throw err;
  }
}
