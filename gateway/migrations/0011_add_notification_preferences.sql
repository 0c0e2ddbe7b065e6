CREATE TABLE "notification_preferences" (
	"subject" text PRIMARY KEY NOT NULL,
	"language" text,
	"reminders" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_preferences_language_known" CHECK ("notification_preferences"."language" IN ('ja', 'en'))
);
