import type { Identity } from '@kyoyo/auth';
import type { Logger } from '@kyoyo/server-kit';
import type { InstitutionClient } from '../federation/institution-client';
import { createInstrumentCountLoader, InstitutionsService } from '../institutions/institutions.service';
import { createAvailabilityLoader, createInstrumentLoader, createUtilizationLoader } from '../instruments/instruments.loaders';
import { InstrumentsService } from '../instruments/instruments.service';
import type { InstitutionRegistry } from '../registry/registry';

/** Everything a gateway resolver may use for one request. */
export interface GatewayContext {
  identity: Identity | null;
  requestId: string;
  logger: Logger;
  institutions: InstitutionsService;
  instruments: InstrumentsService;
  loaders: {
    availability: ReturnType<typeof createAvailabilityLoader>;
    utilization: ReturnType<typeof createUtilizationLoader>;
  };
}

/** Loaders and services are built fresh for every request, so batching and caching never cross users. */
export function createContextFactory(registry: InstitutionRegistry, client: InstitutionClient, logger: Logger) {
  return (identity: Identity | null, requestId: string): GatewayContext => {
    const call = { identity, requestId };
    return {
      identity,
      requestId,
      logger: logger.child({ rid: requestId }),
      institutions: new InstitutionsService(registry, createInstrumentCountLoader(registry, client, call)),
      instruments: new InstrumentsService(registry, client, call, createInstrumentLoader(client, call)),
      loaders: {
        availability: createAvailabilityLoader(client, call),
        utilization: createUtilizationLoader(client, call),
      },
    };
  };
}
