import { defineAuthorizationMatrix } from './support/authorization-matrix';

// The personas' roles as their development-issuer tokens claim them.
defineAuthorizationMatrix('token claims');
