CREATE TABLE "calendar_feeds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"subject" text NOT NULL,
	"institution" text,
	"organization" text,
	"affiliation" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_read_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "calendar_feeds_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "calendar_feeds_affiliation" CHECK ("calendar_feeds"."affiliation" IN ('academic', 'industry'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_feeds_active_unique" ON "calendar_feeds" USING btree ("subject") WHERE "calendar_feeds"."revoked_at" IS NULL;