#!/usr/bin/python3
"""A TLS man-in-the-middle for the interoperability tests.

Terminates the client's TLS with its own certificate and key, opens a second
TLS connection to the real SSTP server (checking nothing, as an attacker
would not), and relays the plaintext both ways. The SSTP server then sees a
Crypto Binding whose certificate hash is that of this relay's certificate,
which MS-SSTP 3.2.5.4 requires it to reject.

    tls-mitm.py --listen ADDR --port PORT --cert PEM --key PEM
                --upstream HOST --upstream-port PORT --sni NAME --log FILE
"""

import argparse
import asyncio
import logging
import ssl

RELAY_CHUNK = 65536


async def relay(reader, writer, direction):
    copied = 0
    try:
        while data := await reader.read(RELAY_CHUNK):
            writer.write(data)
            await writer.drain()
            copied += len(data)
    except (ConnectionError, ssl.SSLError) as e:
        logging.info("%s: %r", direction, e)
    finally:
        logging.info("%s: closed after %d bytes", direction, copied)
        writer.close()


async def handle(args, upstream_ctx, client_reader, client_writer):
    peer = client_writer.get_extra_info("peername")
    logging.info("client %s: TLS accepted with the relay's certificate", peer[0])
    try:
        server_reader, server_writer = await asyncio.open_connection(
            args.upstream, args.upstream_port, ssl=upstream_ctx, server_hostname=args.sni
        )
    except (OSError, ssl.SSLError) as e:
        logging.info("upstream %s:%d: %r", args.upstream, args.upstream_port, e)
        client_writer.close()
        return
    logging.info("upstream %s:%d: TLS established", args.upstream, args.upstream_port)
    await asyncio.gather(
        relay(client_reader, server_writer, "client->server"),
        relay(server_reader, client_writer, "server->client"),
    )


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--listen", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--upstream-port", type=int, default=443)
    p.add_argument("--sni", required=True)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    logging.basicConfig(
        filename=args.log, level=logging.INFO, format="%(asctime)s %(message)s"
    )

    own_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    own_ctx.load_cert_chain(args.cert, args.key)
    upstream_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    upstream_ctx.check_hostname = False
    upstream_ctx.verify_mode = ssl.CERT_NONE

    server = await asyncio.start_server(
        lambda r, w: handle(args, upstream_ctx, r, w), args.listen, args.port, ssl=own_ctx
    )
    logging.info("listening on %s:%d", args.listen, args.port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
