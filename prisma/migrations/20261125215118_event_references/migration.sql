-- CreateTable
CREATE TABLE "event_references" (
    "organization_id" UUID NOT NULL,
    "subject_id" UUID NOT NULL,
    "position" BIGINT NOT NULL,

    CONSTRAINT "event_references_pkey" PRIMARY KEY ("subject_id","position")
);
