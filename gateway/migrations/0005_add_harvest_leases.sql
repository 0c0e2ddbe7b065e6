CREATE TABLE "catalogue_harvest_leases" (
	"institution" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalogue_harvest_leases" ADD CONSTRAINT "catalogue_harvest_leases_institution_institutions_code_fk" FOREIGN KEY ("institution") REFERENCES "public"."institutions"("code") ON DELETE cascade ON UPDATE no action;