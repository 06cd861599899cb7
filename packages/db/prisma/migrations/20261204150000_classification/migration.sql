-- AlterEnum
ALTER TYPE "ClassifierType" ADD VALUE 'ensemble';

-- AlterTable
ALTER TABLE "Group" ADD COLUMN     "storageQuotaBytes" BIGINT;

-- AlterTable
ALTER TABLE "Classifier" ADD COLUMN     "classes" JSONB,
ADD COLUMN     "rInfo" JSONB,
ADD COLUMN     "trainingDataHash" TEXT,
ADD COLUMN     "trainingRows" INTEGER,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "ClassificationRun" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "isDummy" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "nextAttemptAt" TIMESTAMP(3),
ADD COLUMN     "parameters" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "processedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "stamp" JSONB,
ADD COLUMN     "startedAt" TIMESTAMP(3),
ADD COLUMN     "totalCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "waitingReason" TEXT;

-- AlterTable
ALTER TABLE "ClassifierTrainingJob" ADD COLUMN     "createdById" TEXT;

-- CreateIndex
CREATE INDEX "ClassificationRun_status_createdAt_idx" ON "ClassificationRun"("status", "createdAt");

-- CreateIndex
CREATE INDEX "ClassificationRun_segmentationId_idx" ON "ClassificationRun"("segmentationId");

-- CreateIndex
CREATE INDEX "ClassificationResult_runId_confidence_idx" ON "ClassificationResult"("runId", "confidence");

-- AddForeignKey
ALTER TABLE "ClassificationRun" ADD CONSTRAINT "ClassificationRun_segmentationId_fkey" FOREIGN KEY ("segmentationId") REFERENCES "Segmentation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClassificationRun" ADD CONSTRAINT "ClassificationRun_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClassifierTrainingJob" ADD CONSTRAINT "ClassifierTrainingJob_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

