-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "currentGroupId" TEXT;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_currentGroupId_fkey" FOREIGN KEY ("currentGroupId") REFERENCES "Group"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Sessions open before this column keep working where their user works now.
UPDATE "Session" s SET "currentGroupId" = p."currentGroupId"
FROM "Profile" p
WHERE p."userId" = s."userId";
