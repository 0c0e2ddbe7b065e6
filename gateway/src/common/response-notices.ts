import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context';

/**
 * Adds what a request's fan-outs could not reach to the response: `extensions.unavailableInstitutions`
 * (sorted codes), for lists such as `myBookings` that answer from the institutions that did answer.
 */
export function responseNotices(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const unavailable = contextValue.notices.unavailableInstitutions;
          if (unavailable.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, unavailableInstitutions: [...unavailable].sort() };
        },
      };
    },
  };
}
