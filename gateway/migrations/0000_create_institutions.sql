CREATE TABLE "institutions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"prefecture" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"service_url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "institutions_code_format" CHECK ("institutions"."code" ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$'),
	CONSTRAINT "institutions_location_range" CHECK ("institutions"."latitude" BETWEEN -90 AND 90 AND "institutions"."longitude" BETWEEN -180 AND 180)
);
