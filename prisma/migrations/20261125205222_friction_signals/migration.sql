-- CreateTable
CREATE TABLE "friction_signals" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "cause" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "evidence" BIGINT[],
    "team_ids" UUID[],
    "raised_at" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "resolved_at" TIMESTAMPTZ(6),
    "sequence" BIGINT NOT NULL,

    CONSTRAINT "friction_signals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "friction_signal_changes" (
    "organization_id" UUID NOT NULL,
    "sequence" BIGINT NOT NULL,
    "signal_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "change" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "evidence" BIGINT[],
    "at" TIMESTAMPTZ(6) NOT NULL,
    "position" BIGINT,

    CONSTRAINT "friction_signal_changes_pkey" PRIMARY KEY ("organization_id","sequence")
);

-- CreateTable
CREATE TABLE "friction_timers" (
    "organization_id" UUID NOT NULL,
    "rule" TEXT NOT NULL,
    "subject_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "friction_timers_pkey" PRIMARY KEY ("organization_id","rule","subject_id")
);

-- CreateTable
CREATE TABLE "friction_states" (
    "organization_id" UUID NOT NULL,
    "sequence" BIGINT NOT NULL,
    "clock" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "friction_states_pkey" PRIMARY KEY ("organization_id")
);

-- CreateIndex
CREATE INDEX "friction_signals_organization_id_kind_subject_id_status_idx" ON "friction_signals"("organization_id", "kind", "subject_id", "status");

-- CreateIndex
CREATE INDEX "friction_signals_organization_id_status_sequence_idx" ON "friction_signals"("organization_id", "status", "sequence");

-- CreateIndex
CREATE INDEX "friction_signals_team_ids_idx" ON "friction_signals" USING GIN ("team_ids");

-- CreateIndex
CREATE INDEX "friction_signal_changes_signal_id_sequence_idx" ON "friction_signal_changes"("signal_id", "sequence");

-- CreateIndex
CREATE INDEX "friction_timers_due_at_idx" ON "friction_timers"("due_at");

-- CreateIndex
CREATE INDEX "agreements_responsibility_ids_idx" ON "agreements" USING GIN ("responsibility_ids");

-- CreateIndex
CREATE INDEX "assets_value_stream_ids_idx" ON "assets" USING GIN ("value_stream_ids");

-- CreateIndex
CREATE INDEX "interactions_team_ids_idx" ON "interactions" USING GIN ("team_ids");
