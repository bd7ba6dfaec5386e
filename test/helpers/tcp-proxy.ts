/** The soak's TCP proxy serves the tests too (scripts cannot import from test/). */
export { TcpProxy } from '../../scripts/lib/tcp-proxy';
