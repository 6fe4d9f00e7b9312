-- CreateTable
CREATE TABLE "organizations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "growth_phase" TEXT NOT NULL,
    "thresholds" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "people" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "discipline" TEXT NOT NULL,
    "skills" TEXT[],
    "manager_id" UUID,
    "first_team_id" UUID,
    "registered_at" TIMESTAMPTZ(6) NOT NULL,
    "offboarded_at" TIMESTAMPTZ(6),
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "people_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value_stream_id" UUID,
    "parent_team_id" UUID,
    "formed_at" TIMESTAMPTZ(6) NOT NULL,
    "archived_at" TIMESTAMPTZ(6),
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "allocation" INTEGER NOT NULL,
    "valid_from" TIMESTAMPTZ(6) NOT NULL,
    "valid_to" TIMESTAMPTZ(6),
    "position" BIGINT NOT NULL,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "value_streams" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "customer" TEXT,
    "parent_id" UUID,
    "defined_at" TIMESTAMPTZ(6) NOT NULL,
    "retired_at" TIMESTAMPTZ(6),
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "value_streams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "responsibilities" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT NOT NULL,
    "owner_person_id" UUID,
    "owner_team_id" UUID,
    "owned_since" TIMESTAMPTZ(6) NOT NULL,
    "defined_at" TIMESTAMPTZ(6) NOT NULL,
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "responsibilities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ownership_intervals" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "responsibility_id" UUID NOT NULL,
    "owner_kind" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "valid_from" TIMESTAMPTZ(6) NOT NULL,
    "valid_to" TIMESTAMPTZ(6),
    "reason" TEXT,
    "actor" TEXT,
    "position" BIGINT NOT NULL,

    CONSTRAINT "ownership_intervals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agreements" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "name" TEXT,
    "mission" TEXT NOT NULL,
    "metrics" JSONB NOT NULL,
    "responsibility_ids" UUID[],
    "skills" TEXT[],
    "norms" TEXT NOT NULL,
    "drafted_at" TIMESTAMPTZ(6) NOT NULL,
    "ratified_at" TIMESTAMPTZ(6),
    "ratified_by" UUID[],
    "last_revisited_at" TIMESTAMPTZ(6),
    "position" BIGINT NOT NULL,

    CONSTRAINT "agreements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agreement_revisits" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "notes" TEXT,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "agreement_revisits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dependencies" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "from_team_id" UUID NOT NULL,
    "to_team_id" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "description" TEXT,
    "status" TEXT NOT NULL,
    "discovered_late" BOOLEAN NOT NULL,
    "expected_duration_days" INTEGER,
    "declared_at" TIMESTAMPTZ(6) NOT NULL,
    "status_since" TIMESTAMPTZ(6) NOT NULL,
    "resolved_at" TIMESTAMPTZ(6),
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "dependencies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "investment_mixes" (
    "organization_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "features" INTEGER NOT NULL,
    "tech_debt" INTEGER NOT NULL,
    "runway" INTEGER NOT NULL,
    "developer_experience" INTEGER NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "investment_mixes_pkey" PRIMARY KEY ("team_id","period","kind")
);

-- CreateTable
CREATE TABLE "assets" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "team_ids" UUID[],
    "value_stream_ids" UUID[],
    "published_at" TIMESTAMPTZ(6) NOT NULL,
    "last_revised_at" TIMESTAMPTZ(6) NOT NULL,
    "revision_count" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "assets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "asset_revisions" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "asset_id" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "rationale" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "asset_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_metrics" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "lead_time_hours" DOUBLE PRECISION,
    "build_time_minutes" DOUBLE PRECISION,
    "incidents" INTEGER,
    "deployments_per_week" DOUBLE PRECISION,
    "productivity_pulse" INTEGER,
    "observed_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "delivery_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "interactions" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "team_ids" UUID[],
    "kind" TEXT NOT NULL,
    "note" TEXT,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "interactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "handoffs" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "reviewed_with_engineering" BOOLEAN NOT NULL,
    "reviewed_with_product" BOOLEAN NOT NULL,
    "comment" TEXT,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "handoffs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "unique_claims" (
    "organization_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "stream_id" TEXT NOT NULL,

    CONSTRAINT "unique_claims_pkey" PRIMARY KEY ("organization_id","kind","value")
);

-- CreateTable
CREATE TABLE "command_results" (
    "organization_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "command" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "position" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "command_results_pkey" PRIMARY KEY ("organization_id","idempotency_key")
);

-- CreateTable
CREATE TABLE "projection_checkpoints" (
    "name" TEXT NOT NULL,
    "position" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "projection_checkpoints_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "timeline_points" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "timeline" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "timeline_points_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations"("slug");

-- CreateIndex
CREATE INDEX "people_organization_id_discipline_idx" ON "people"("organization_id", "discipline");

-- CreateIndex
CREATE INDEX "people_organization_id_email_idx" ON "people"("organization_id", "email");

-- CreateIndex
CREATE INDEX "people_manager_id_idx" ON "people"("manager_id");

-- CreateIndex
CREATE INDEX "people_first_team_id_idx" ON "people"("first_team_id");

-- CreateIndex
CREATE INDEX "teams_organization_id_kind_idx" ON "teams"("organization_id", "kind");

-- CreateIndex
CREATE INDEX "teams_organization_id_name_idx" ON "teams"("organization_id", "name");

-- CreateIndex
CREATE INDEX "teams_value_stream_id_idx" ON "teams"("value_stream_id");

-- CreateIndex
CREATE INDEX "teams_parent_team_id_idx" ON "teams"("parent_team_id");

-- CreateIndex
CREATE INDEX "memberships_team_id_valid_to_idx" ON "memberships"("team_id", "valid_to");

-- CreateIndex
CREATE INDEX "memberships_person_id_valid_to_idx" ON "memberships"("person_id", "valid_to");

-- CreateIndex
CREATE INDEX "memberships_organization_id_idx" ON "memberships"("organization_id");

-- CreateIndex
CREATE INDEX "value_streams_organization_id_idx" ON "value_streams"("organization_id");

-- CreateIndex
CREATE INDEX "value_streams_parent_id_idx" ON "value_streams"("parent_id");

-- CreateIndex
CREATE INDEX "responsibilities_organization_id_idx" ON "responsibilities"("organization_id");

-- CreateIndex
CREATE INDEX "responsibilities_owner_person_id_idx" ON "responsibilities"("owner_person_id");

-- CreateIndex
CREATE INDEX "responsibilities_owner_team_id_idx" ON "responsibilities"("owner_team_id");

-- CreateIndex
CREATE INDEX "ownership_intervals_responsibility_id_valid_from_idx" ON "ownership_intervals"("responsibility_id", "valid_from");

-- CreateIndex
CREATE INDEX "ownership_intervals_organization_id_owner_id_idx" ON "ownership_intervals"("organization_id", "owner_id");

-- CreateIndex
CREATE INDEX "agreements_organization_id_status_idx" ON "agreements"("organization_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "agreements_team_id_version_key" ON "agreements"("team_id", "version");

-- CreateIndex
CREATE INDEX "agreement_revisits_team_id_occurred_at_idx" ON "agreement_revisits"("team_id", "occurred_at");

-- CreateIndex
CREATE INDEX "dependencies_from_team_id_idx" ON "dependencies"("from_team_id");

-- CreateIndex
CREATE INDEX "dependencies_to_team_id_idx" ON "dependencies"("to_team_id");

-- CreateIndex
CREATE INDEX "dependencies_organization_id_idx" ON "dependencies"("organization_id");

-- CreateIndex
CREATE INDEX "investment_mixes_organization_id_idx" ON "investment_mixes"("organization_id");

-- CreateIndex
CREATE INDEX "assets_organization_id_category_idx" ON "assets"("organization_id", "category");

-- CreateIndex
CREATE UNIQUE INDEX "asset_revisions_asset_id_revision_key" ON "asset_revisions"("asset_id", "revision");

-- CreateIndex
CREATE INDEX "delivery_metrics_team_id_observed_at_idx" ON "delivery_metrics"("team_id", "observed_at");

-- CreateIndex
CREATE INDEX "interactions_organization_id_occurred_at_idx" ON "interactions"("organization_id", "occurred_at");

-- CreateIndex
CREATE INDEX "handoffs_team_id_occurred_at_idx" ON "handoffs"("team_id", "occurred_at");

-- CreateIndex
CREATE INDEX "unique_claims_organization_id_stream_id_idx" ON "unique_claims"("organization_id", "stream_id");

-- CreateIndex
CREATE INDEX "timeline_points_timeline_idx" ON "timeline_points"("timeline");
