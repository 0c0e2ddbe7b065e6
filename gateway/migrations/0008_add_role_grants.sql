CREATE TABLE "role_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject" text NOT NULL,
	"role" text NOT NULL,
	"institution" text,
	"agency" text,
	"note" text,
	"granted_by" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_by" text,
	"revoked_at" timestamp with time zone,
	"revoke_note" text,
	CONSTRAINT "role_grants_role" CHECK ("role_grants"."role" IN ('RESEARCHER', 'FACILITY_MANAGER', 'FUNDER', 'ADMIN', 'INSTITUTION_ADMIN')),
	CONSTRAINT "role_grants_scope" CHECK (("role_grants"."role" IN ('FACILITY_MANAGER', 'INSTITUTION_ADMIN')) = ("role_grants"."institution" IS NOT NULL) AND ("role_grants"."role" = 'FUNDER') = ("role_grants"."agency" IS NOT NULL)),
	CONSTRAINT "role_grants_revocation" CHECK (("role_grants"."revoked_at" IS NULL) = ("role_grants"."revoked_by" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "role_grants_active_unique" ON "role_grants" USING btree ("subject","role",coalesce("institution", ''),coalesce("agency", '')) WHERE "role_grants"."revoked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "role_grants_institution_idx" ON "role_grants" USING btree ("institution","granted_at");