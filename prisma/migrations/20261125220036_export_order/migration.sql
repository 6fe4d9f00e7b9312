-- DropIndex
DROP INDEX "memberships_organization_id_idx";

-- CreateIndex
CREATE INDEX "memberships_organization_id_valid_from_id_idx" ON "memberships"("organization_id", "valid_from", "id");

-- CreateIndex
CREATE INDEX "ownership_intervals_organization_id_valid_from_id_idx" ON "ownership_intervals"("organization_id", "valid_from", "id");
