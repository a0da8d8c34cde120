"""
Telethon v1 (Debian's python3-telethon) as a client of `mtwire serve`, driven by
test/interop/telethon.test.ts: one transport per run. It prints one JSON object per line on
stdout; the test asserts on them and on the server's log.

Telethon is driven at its MTProtoSender, as checklist B3 says (TelegramClient.connect() would
also need a help.getConfig answer, which a protocol test server does not give): its own
handshake (p_q_inner_data without dc, the legacy RSA encoding: checklist §1.2-1.3), its first
encrypted message with salt 0 (§1.4: bad_server_salt has to work), MTProto pings, an API call
the server answers (help.getNearestDc) and one it does not (help.getConfig: an RPC error).
Then the connection is cut right after a ping went out (the test arms a relay when this script
says `cut?` and answers on stdin): Telethon reconnects on its own, with a new session, and
sends the ping again.

  python3 telethon_client.py HOST PORT PEM TRANSPORT [MTPROXY_SECRET]   (PEM: the key's text)
"""
import asyncio
import json
import logging
import sys

from telethon import errors
from telethon.crypto import rsa
from telethon.network import (
    ConnectionHttp, ConnectionTcpAbridged, ConnectionTcpFull, ConnectionTcpIntermediate,
    ConnectionTcpMTProxyAbridged, ConnectionTcpMTProxyRandomizedIntermediate,
    ConnectionTcpObfuscated, MTProtoSender)
from telethon.tl.functions import PingRequest
from telethon.tl.functions.help import GetConfigRequest, GetNearestDcRequest

TRANSPORTS = {
    'full': ConnectionTcpFull,
    'abridged': ConnectionTcpAbridged,
    'intermediate': ConnectionTcpIntermediate,
    'obfuscated2': ConnectionTcpObfuscated,
    'http': ConnectionHttp,
    'MTProxy plain': ConnectionTcpMTProxyAbridged,
    'MTProxy dd': ConnectionTcpMTProxyRandomizedIntermediate,
}


class Loggers(dict):
    def __missing__(self, name):
        return logging.getLogger(name)


def say(**fields):
    print(json.dumps(fields), flush=True)


async def main(host, port, pem, transport, secret):
    rsa.add_key(pem, old=False)
    proxy = (host, port, secret) if transport.startswith('MTProxy') else None
    conn = TRANSPORTS[transport](host, port, 2, loggers=Loggers(), proxy=proxy)
    sender = MTProtoSender(None, loggers=Loggers(), retries=3, delay=0.2, auto_reconnect=True,
                           connect_timeout=10, updates_queue=asyncio.Queue())
    await sender.connect(conn)
    say(step='connected', authKey=sender.auth_key.key.hex())
    try:
        for ping_id in (1, 2, 3):
            pong = await asyncio.wait_for(sender.send(PingRequest(ping_id=ping_id)), 10)
            say(step='ping', pingId=pong.ping_id)
        nearest = await asyncio.wait_for(sender.send(GetNearestDcRequest()), 10)
        say(step='nearestDc', thisDc=nearest.this_dc, nearestDc=nearest.nearest_dc)
        try:
            await asyncio.wait_for(sender.send(GetConfigRequest()), 10)
            say(step='getConfig', error=None)
        except errors.RPCError as e:
            say(step='getConfig', error=type(e).__name__, code=e.code, message=e.message)
        # the cut: the test arms its relay, then answers; the next request is cut after sending
        say(step='cut?')
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        pong = await asyncio.wait_for(sender.send(PingRequest(ping_id=4)), 20)
        say(step='ping after cut', pingId=pong.ping_id)
    finally:
        await sender.disconnect()
    say(step='done')


if __name__ == '__main__':
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None))
    except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
        say(step='error', error=type(e).__name__, message=str(e))
        sys.exit(1)
