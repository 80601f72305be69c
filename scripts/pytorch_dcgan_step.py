"""A preset's training iteration in PyTorch, for `npm run bench` to compare against.

    python3 pytorch_dcgan_step.py [steps] [warmup] [threads] [dcgan|mlp]

dcgan: the seed DCGAN (mnist-dcgan); mlp: the fully connected mnist-mlp preset.
One iteration: a D step on 64 real and 64 generated images (separate half-batches), then a
G step on 64 latent points, Adam(2e-4, beta1 0.5), BCE on logits, one CPU thread by default.
Prints one JSON object. Real images are random here: speed does not depend on pixel values.
"""
import json
import os
import sys
import time

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 1
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
arch = sys.argv[4] if len(sys.argv) > 4 else "dcgan"
# torch.set_num_threads does not reach Debian's OpenBLAS (libopenblas0-pthread), which would
# otherwise run its matrix products on every core: pin the BLAS thread pools before torch loads.
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = str(threads)

import torch  # noqa: E402  (after the thread pools are pinned)
from torch import nn  # noqa: E402

torch.set_num_threads(threads)
torch.manual_seed(0)
B, LATENT = 64, 100

if arch == "mlp":
    G = nn.Sequential(
        nn.Linear(LATENT, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    D = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(256, 128), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(128, 1))
else:
    G = nn.Sequential(
        nn.Linear(LATENT, 7 * 7 * 128), nn.LeakyReLU(0.2), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 128, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 128, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 1, 7, padding=3), nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(1, 64, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(0.4),
        nn.Conv2d(64, 64, 3, 2, 1), nn.LeakyReLU(0.2), nn.Dropout(0.4),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 1))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()
ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)


def iteration():
    real = torch.rand(B, 1, 28, 28) * 2 - 1
    with torch.no_grad():
        fake = G(torch.randn(B, LATENT))
    for images, target in ((real, ones), (fake, zeros)):
        opt_d.zero_grad()
        bce(D(images), target).backward()
        opt_d.step()
    opt_g.zero_grad()
    bce(D(G(torch.randn(B, LATENT))), ones).backward()
    opt_g.step()


for _ in range(warmup):
    iteration()
times = []
cpu_start, wall_start = time.process_time(), time.perf_counter()
for _ in range(steps):
    t = time.perf_counter()
    iteration()
    times.append((time.perf_counter() - t) * 1000)
cores_busy = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
ms = sum(times) / len(times)
print(json.dumps({
    "msPerIteration": ms,
    "imagesPerSecond": B / (ms / 1000),
    "timedIterations": steps,
    "threads": threads,
    "arch": arch,
    "coresBusy": cores_busy,
    "torch": torch.__version__,
}))
