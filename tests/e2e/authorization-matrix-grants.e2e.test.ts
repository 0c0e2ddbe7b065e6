import { defineAuthorizationMatrix } from './support/authorization-matrix';

// The personas' roles as Kyoyo grants them, to people signed in through a campus issuer not trusted for roles.
defineAuthorizationMatrix('Kyoyo grants');
