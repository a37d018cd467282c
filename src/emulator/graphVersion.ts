// The Graph versions a request can name (`/v1.0/...`, `/beta/...`); each answers in its own shape.
export type GraphVersion = 'v1.0' | 'beta';
