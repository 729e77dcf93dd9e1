"""A closed-loop HTTP load generator, run in its own process by `triage bench serve`.

``python -m serve.loadgen --url URL --texts FILE --concurrency 32 --duration 30`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
import numpy as np


async def drive(url: str, texts: list[str], *, concurrency: int, duration: float, api_key: str | None) -> dict:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    versions: Counter[str] = Counter()
    deadline = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)

    async with aiohttp.ClientSession(base_url=url, headers=headers, connector=connector, timeout=timeout) as session:

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                text = texts[i % len(texts)]
                i += concurrency
                start = time.perf_counter()
                try:
                    async with session.post("/v1/route", json={"text": text}) as response:
                        body = await response.json(content_type=None)
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    errors[type(exc).__name__] += 1
                    continue
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                    versions[body["model_version"]] += 1
                else:
                    errors[f"HTTP {status}"] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - started

    ms = np.array(latencies) * 1000.0
    return {
        "requests": len(latencies),
        "errors": int(sum(errors.values())),
        "error_kinds": dict(errors),
        "elapsed_s": round(elapsed, 3),
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(float(np.percentile(ms, 50)), 2) if ms.size else None,
        "p95_ms": round(float(np.percentile(ms, 95)), 2) if ms.size else None,
        "p99_ms": round(float(np.percentile(ms, 99)), 2) if ms.size else None,
        "model_versions": dict(versions),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--texts", required=True, type=Path, help="JSON list of texts")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args(argv)
    texts = json.loads(args.texts.read_text())
    result = asyncio.run(
        drive(args.url, texts, concurrency=args.concurrency, duration=args.duration, api_key=args.api_key)
    )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
