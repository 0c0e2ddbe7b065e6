import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { scalarResolvers } from '@kyoyo/server-kit';
import { availabilityResolvers } from './availability/availability.resolvers';
import { bookingsResolvers } from './bookings/bookings.resolvers';
import { changeFeedResolvers } from './change-feed/change-feed.resolvers';
import { changeFeedSummaryResolvers } from './change-feed/change-feed-summary.resolvers';
import { duplicatesResolvers } from './duplicates/duplicates.resolvers';
import { institutionResolvers } from './institution/institution.resolvers';
import { instrumentsResolvers } from './instruments/instruments.resolvers';
import { listingsResolvers } from './listings/listings.resolvers';
import { notificationsResolvers } from './notifications/notifications.resolvers';
import { reportsResolvers } from './reports/reports.resolvers';
import { waitlistsResolvers } from './waitlists/waitlists.resolvers';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Every module's SDL (`<module>/<module>.graphql`), common types first. */
export function loadTypeDefs(): string[] {
  const modules = readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory());
  const files = modules.flatMap((d) =>
    readdirSync(join(here, d.name))
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => join(here, d.name, f)),
  );
  files.sort((a, b) => Number(!a.includes('/common/')) - Number(!b.includes('/common/')) || a.localeCompare(b));
  return files.map((f) => readFileSync(f, 'utf8'));
}

/** The equipment service's executable schema. */
export function createSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [
      { ...scalarResolvers },
      institutionResolvers,
      instrumentsResolvers,
      listingsResolvers,
      availabilityResolvers,
      bookingsResolvers,
      duplicatesResolvers,
      reportsResolvers,
      changeFeedResolvers,
      changeFeedSummaryResolvers,
      waitlistsResolvers,
      notificationsResolvers,
    ],
  });
}
