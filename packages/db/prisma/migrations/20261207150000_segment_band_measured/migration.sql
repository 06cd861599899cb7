-- AlterTable
ALTER TABLE "Segment" ADD COLUMN     "bandMeasured" BOOLEAN NOT NULL DEFAULT false;

-- Bands that detection runs wrote before this column were the detector's measurements (the editor could not set one).
UPDATE "Segment" s SET "bandMeasured" = true
FROM "Segmentation" g
WHERE s."segmentationId" = g.id AND g.source = 'algorithm' AND s."lowFreq" IS NOT NULL;
