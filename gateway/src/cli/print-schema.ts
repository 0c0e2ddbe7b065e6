/** `npm run schema:print`: the gateway's public schema (SDL) on stdout, and nothing else. */
import { printGatewaySchema } from '../schema';

process.stdout.write(`${printGatewaySchema()}\n`);
