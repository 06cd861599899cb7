-- CreateEnum
CREATE TYPE "TaxonomyChangeKind" AS ENUM ('rename', 'merge', 'split');

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "impersonatorId" TEXT;

-- AlterTable
ALTER TABLE "Species" ADD COLUMN     "taxonomyVersion" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Recording" ADD COLUMN     "declaredDuration" DOUBLE PRECISION,
ADD COLUMN     "truncated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Classifier" ADD COLUMN     "taxonomyVersion" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "representativeSegmentId" TEXT;

-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "log" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "TaxonomyChange" (
    "id" TEXT NOT NULL,
    "speciesId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "TaxonomyChangeKind" NOT NULL,
    "details" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaxonomyChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "details" JSONB,
    "ip" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertState" (
    "key" TEXT NOT NULL,
    "lastSentAt" TIMESTAMP(3) NOT NULL,
    "lastValue" JSONB,

    CONSTRAINT "AlertState_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'worker',
    "startedAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "rssBytes" BIGINT,
    "heapUsedBytes" BIGINT,
    "activeJobs" JSONB,

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TaxonomyChange_speciesId_version_key" ON "TaxonomyChange"("speciesId", "version");

-- CreateIndex
CREATE INDEX "AuditEntry_createdAt_idx" ON "AuditEntry"("createdAt");

-- CreateIndex
CREATE INDEX "WorkerHeartbeat_lastSeenAt_idx" ON "WorkerHeartbeat"("lastSeenAt");

-- AddForeignKey
ALTER TABLE "TaxonomyChange" ADD CONSTRAINT "TaxonomyChange_speciesId_fkey" FOREIGN KEY ("speciesId") REFERENCES "Species"("id") ON DELETE CASCADE ON UPDATE CASCADE;

