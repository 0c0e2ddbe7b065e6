import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { printSchema, type GraphQLSchema } from 'graphql';
import { scalarResolvers } from '@kyoyo/server-kit';
import { bookingsResolvers } from './bookings/bookings.resolvers';
import { calendarResolvers } from './calendar/calendar.resolvers';
import { duplicateChecksResolvers } from './duplicate-checks/duplicate-checks.resolvers';
import { institutionsResolvers } from './institutions/institutions.resolvers';
import { instrumentsResolvers } from './instruments/instruments.resolvers';
import { listingsResolvers } from './listings/listings.resolvers';
import { notificationsResolvers } from './notifications/notifications.resolvers';
import { reportsResolvers } from './reports/reports.resolvers';
import { rolesResolvers } from './roles/roles.resolvers';
import { schedulesResolvers } from './schedules/schedules.resolvers';
import { viewerResolvers } from './viewer/viewer.resolvers';
import { waitlistsResolvers } from './waitlists/waitlists.resolvers';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Every module's SDL (`<module>/<module>.graphql`), common types first. */
function loadTypeDefs(): string[] {
  const files = readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(here, d.name))
        .filter((f) => f.endsWith('.graphql'))
        .map((f) => join(here, d.name, f)),
    )
    .sort((a, b) => Number(!a.includes('/common/')) - Number(!b.includes('/common/')) || a.localeCompare(b));
  return files.map((f) => readFileSync(f, 'utf8'));
}

/** The national API's executable schema. */
export function createGatewaySchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [
      { ...scalarResolvers },
      institutionsResolvers,
      viewerResolvers,
      instrumentsResolvers,
      listingsResolvers,
      bookingsResolvers,
      schedulesResolvers,
      reportsResolvers,
      duplicateChecksResolvers,
      rolesResolvers,
      calendarResolvers,
      waitlistsResolvers,
      notificationsResolvers,
    ],
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}

/** The public schema as SDL, with descriptions. */
export function printGatewaySchema(): string {
  return printSchema(createGatewaySchema());
}
