-- CreateEnum
CREATE TYPE "TaskBatchStatus" AS ENUM ('creating', 'ready', 'failed');

-- AlterTable
ALTER TABLE "Classifier" ADD COLUMN     "parentId" TEXT;

-- AlterTable
ALTER TABLE "TaskBatch" ADD COLUMN     "blind" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "confidenceThreshold" DOUBLE PRECISION,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "orderMode" TEXT NOT NULL DEFAULT 'onset',
ADD COLUMN     "progress" DOUBLE PRECISION NOT NULL DEFAULT 1,
ADD COLUMN     "source" JSONB,
ADD COLUMN     "status" "TaskBatchStatus" NOT NULL DEFAULT 'ready';

-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "adjudicatedAt" TIMESTAMP(3),
ADD COLUMN     "adjudicatedById" TEXT,
ADD COLUMN     "classificationResultId" TEXT,
ADD COLUMN     "entropy" DOUBLE PRECISION,
ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "TaskBatchAssignee" (
    "id" TEXT NOT NULL,
    "batchId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaskBatchAssignee_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaskLabel" (
    "id" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TaskLabel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TaskBatchAssignee_batchId_userId_key" ON "TaskBatchAssignee"("batchId", "userId");

-- CreateIndex
CREATE INDEX "TaskLabel_userId_idx" ON "TaskLabel"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "TaskLabel_taskId_userId_key" ON "TaskLabel"("taskId", "userId");

-- CreateIndex
CREATE INDEX "Task_batchId_position_idx" ON "Task"("batchId", "position");

-- AddForeignKey
ALTER TABLE "Classifier" ADD CONSTRAINT "Classifier_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Classifier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskBatchAssignee" ADD CONSTRAINT "TaskBatchAssignee_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "TaskBatch"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskBatchAssignee" ADD CONSTRAINT "TaskBatchAssignee_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_classificationResultId_fkey" FOREIGN KEY ("classificationResultId") REFERENCES "ClassificationResult"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_adjudicatedById_fkey" FOREIGN KEY ("adjudicatedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskLabel" ADD CONSTRAINT "TaskLabel_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TaskLabel" ADD CONSTRAINT "TaskLabel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

