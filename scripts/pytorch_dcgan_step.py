"""A preset's training iteration in PyTorch, for `npm run bench` to compare against.

    python3 pytorch_dcgan_step.py [steps] [warmup] [threads] [dcgan|mlp|toy|tabular] [config]

dcgan: the seed DCGAN (mnist-dcgan); mlp: the fully connected mnist-mlp preset.
One iteration: a D step on 64 real and 64 generated images (separate half-batches), then a
G step on 64 latent points, Adam(2e-4, beta1 0.5), BCE on logits, one CPU thread by default.
toy and tabular take the preset's settings as JSON in `config` (npm run bench passes its
defaults): batch, latent, lr, beta1, beta2, gNorm ("batchnorm" or "none"), gpWeight and, for
tabular, heads ([["tanh", 1], ["softmax", 10], ...]).
toy: the toy-mlp preset (G latent-128-128-2 linear, D 2-128-128-1, LeakyReLU 0.2), the same loop
as above; each step also reads its two D losses, the G loss and D's two accuracies as numbers,
as the lab's loop does.
tabular: the tabular-mlp preset on CTGAN's encoding: G latent-128-128 (batch norm after each
hidden layer where gNorm says so), then one dense head per block of the encoded row, concatenated;
D (a critic) width-128-128-1 with dropout 0.2; D sees G's softmax heads through a Gumbel-softmax
(tau 0.2); WGAN-GP (one critic step on both halves per G step); each step reads the critic's two
mean scores and the G loss as numbers.
Prints one JSON object. Real examples are random here: speed does not depend on their values.
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
LR, BETAS, GP_WEIGHT = 2e-4, (0.5, 0.999), 10.0
if arch in ("toy", "tabular"):
    cfg = json.loads(sys.argv[5])
    B, LATENT, LR, BETAS, GP_WEIGHT = cfg["batch"], cfg["latent"], cfg["lr"], (cfg["beta1"], cfg["beta2"]), cfg["gpWeight"]
    heads = [(a, int(w)) for a, w in cfg.get("heads", [])]
    WIDTH = 2 if arch == "toy" else sum(w for _, w in heads)

    def g_block():
        # tfjs's batchNormalization({momentum: 0.9}): PyTorch's momentum 0.1, Keras' epsilon 1e-3.
        norm = [nn.BatchNorm1d(128, eps=1e-3, momentum=0.1)] if cfg["gNorm"] == "batchnorm" else []
        return [*norm, nn.LeakyReLU(0.2)]

    body = nn.Sequential(nn.Linear(LATENT, 128), *g_block(), nn.Linear(128, 128), *g_block())

    class Headed(nn.Module):
        """The tabular G: shared hidden layers, one dense head per block (tanh or softmax)."""

        def __init__(self):
            super().__init__()
            self.body = body
            self.heads = nn.ModuleList(nn.Linear(128, w) for _, w in heads)

        def forward(self, z):
            h = self.body(z)
            return torch.cat([torch.tanh(l(h)) if a == "tanh" else torch.softmax(l(h), 1)
                              for (a, _), l in zip(heads, self.heads)], 1)

    G = nn.Sequential(body, nn.Linear(128, WIDTH)) if arch == "toy" else Headed()
    drop = [] if arch == "toy" else [nn.Dropout(0.2)]
    D = nn.Sequential(nn.Linear(WIDTH, 128), nn.LeakyReLU(0.2), *drop,
                      nn.Linear(128, 128), nn.LeakyReLU(0.2), *drop, nn.Linear(128, 1))
elif arch == "mlp":
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
opt_d = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)
opt_g = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS)
bce = nn.BCEWithLogitsLoss()
ones, zeros = torch.ones(B, 1), torch.zeros(B, 1)
TAU = 0.2


def seen_by_d(x):
    """The tabular D's view of G's rows: each softmax head (wider than 1) as a Gumbel-softmax draw."""
    parts = torch.split(x, [w for _, w in heads], 1)
    out = []
    for (a, w), p in zip(heads, parts):
        if a != "softmax" or w == 1:
            out.append(p)
            continue
        u = torch.rand_like(p).clamp_(1e-6, 1 - 1e-6)
        out.append(torch.softmax((torch.log(p + 1e-8) - torch.log(-torch.log(u))) / TAU, 1))
    return torch.cat(out, 1)


def toy_iteration():
    real = torch.rand(B, WIDTH) * 4 - 2
    with torch.no_grad():
        fake = G(torch.randn(B, LATENT))
    metrics = []
    for x, target in ((real, ones), (fake, zeros)):
        opt_d.zero_grad()
        logits = D(x)
        cost = bce(logits, target)
        cost.backward()
        opt_d.step()
        metrics.append(cost.item())
        metrics.append(((logits > 0) == (target > 0.5)).float().mean().item())
    opt_g.zero_grad()
    cost = bce(D(G(torch.randn(B, LATENT))), ones)
    cost.backward()
    opt_g.step()
    metrics.append(cost.item())
    return metrics


def tabular_iteration():
    real = torch.rand(B, WIDTH)
    with torch.no_grad():
        fake = seen_by_d(G(torch.randn(B, LATENT)))
    opt_d.zero_grad()
    real_mean, fake_mean = D(real).mean(), D(fake).mean()
    eps = torch.rand(B, 1)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((torch.sqrt((grad ** 2).sum(1) + 1e-12) - 1) ** 2).mean()
    (fake_mean - real_mean + GP_WEIGHT * penalty).backward()
    opt_d.step()
    scores = torch.stack([real_mean, fake_mean]).tolist()
    opt_g.zero_grad()
    cost = -D(seen_by_d(G(torch.randn(B, LATENT)))).mean()
    cost.backward()
    opt_g.step()
    return scores + [cost.item()]


def image_iteration():
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


iteration = {"toy": toy_iteration, "tabular": tabular_iteration}.get(arch, image_iteration)
for _ in range(warmup):
    iteration()
times = []
cpu_start, wall_start = time.process_time(), time.perf_counter()
for _ in range(steps):
    t = time.perf_counter()
    iteration()
    times.append((time.perf_counter() - t) * 1000)
cores_busy = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
# Which BLAS the products ran on (Debian's libblas.so.3 alternative: OpenBLAS, or the slow reference BLAS).
try:
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    blas = "openblas" if any("openblas" in lib.lower() for lib in libs) else (", ".join(sorted(os.path.realpath(lib) for lib in libs)) or "none loaded")
except OSError:
    blas = "unknown"
ms = sum(times) / len(times)
print(json.dumps({
    "msPerIteration": ms,
    "imagesPerSecond": B / (ms / 1000),
    "stepsPerSecond": 1000 / ms,
    "batch": B,
    "timedIterations": steps,
    "threads": threads,
    "arch": arch,
    "coresBusy": cores_busy,
    "torch": torch.__version__,
    "blas": blas,
}))
