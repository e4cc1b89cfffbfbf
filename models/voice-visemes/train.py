"""Trains the causal audio→viseme model and exports it to ONNX with the log-mel front end inside.

Data: make-data.ts (eSpeak NG train voices; held-out eSpeak voices, flite voices and the Cantonese
eSpeak voice for testing) and real-speech.ts (recorded Asterisk prompts labelled by DTW: two training
speakers, one validation speaker that picks the checkpoint, and the US-English speaker as the
independent check, never trained or tuned on). Batches are half synthetic, half recorded; a third of
the crops pass through a real codec first (Opus 12–24 kbit/s, G.722, or 8 kHz G.711 µ-law via ffmpeg). Input: 16 kHz mono audio. Output: per 10 ms hop, probabilities of the 15
Oculus visemes for the hop LOOKAHEAD hops earlier (the model sees 20 ms past the hop it labels).
Usage: python3 models/voice-visemes/train.py   (torch CPU: Debian's python3-torch works; CI never runs this)
"""
import hashlib, json, math, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.environ.get("VV_DATA", "/tmp/onair-vv")
HERE = os.path.dirname(os.path.abspath(__file__))
RATE, HOP, WIN, NFFT, NMEL, LOOKAHEAD = 16000, 160, 400, 400, 40, 2
VISEMES = ["sil", "PP", "FF", "TH", "DD", "kk", "CH", "SS", "nn", "RR", "aa", "E", "I", "O", "U"]
COARSE = {"closed": ["sil", "PP", "FF"], "rounded": ["O", "U", "RR", "CH"]}  # everything else: "open"
COARSE_OF = np.array([0 if v in COARSE["closed"] else 2 if v in COARSE["rounded"] else 1 for v in VISEMES])
torch.manual_seed(7)
rng = np.random.default_rng(7)
torch.set_num_threads(2)


def load(split):
    pcm = np.fromfile(f"{DATA}/{split}.pcm", dtype=np.int16).astype(np.float32) / 32768
    lab = np.fromfile(f"{DATA}/{split}.lab", dtype=np.uint8).astype(np.int64)
    index = json.load(open(f"{DATA}/{split}.json"))
    return [(pcm[u["audio"][0]:sum(u["audio"])], lab[u["labels"][0]:sum(u["labels"])], u) for u in index]


def mel_filterbank():
    def hz_to_mel(f): return 2595 * np.log10(1 + f / 700)
    def mel_to_hz(m): return 700 * (10 ** (m / 2595) - 1)
    bins = NFFT // 2 + 1
    freqs = np.linspace(0, RATE / 2, bins)
    pts = mel_to_hz(np.linspace(hz_to_mel(60), hz_to_mel(7600), NMEL + 2))
    fb = np.zeros((NMEL, bins), dtype=np.float32)
    for i in range(NMEL):
        lo, c, hi = pts[i], pts[i + 1], pts[i + 2]
        fb[i] = np.clip(np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)), 0, None)
    return fb


class LogMel(nn.Module):
    """STFT as a strided convolution with fixed (Hann-windowed) DFT weights: exports to plain ONNX ops."""
    def __init__(self):
        super().__init__()
        bins = NFFT // 2 + 1
        n = np.arange(WIN)
        window = 0.5 - 0.5 * np.cos(2 * np.pi * n / WIN)
        k = np.arange(bins)[:, None]
        cos = np.cos(2 * np.pi * k * n / NFFT) * window
        sin = -np.sin(2 * np.pi * k * n / NFFT) * window
        self.register_buffer("dft", torch.tensor(np.concatenate([cos, sin])[:, None, :], dtype=torch.float32))
        self.register_buffer("mel", torch.tensor(mel_filterbank()))
        self.bins = bins

    def forward(self, audio):  # [B, N] → [B, NMEL, T]
        x = F.conv1d(audio[:, None, :], self.dft, stride=HOP)
        power = x[:, : self.bins] ** 2 + x[:, self.bins:] ** 2
        return torch.log(torch.matmul(self.mel, power) + 1e-6)


class CausalConv(nn.Module):
    def __init__(self, cin, cout, k, d):
        super().__init__()
        self.pad = (k - 1) * d
        self.conv = nn.Conv1d(cin, cout, k, dilation=d)

    def forward(self, x):
        return self.conv(F.pad(x, (self.pad, 0)))


class FrameNorm(nn.Module):
    """Normalises each hop over its channels only: unlike GroupNorm over (channels, time) the result
    for a hop does not depend on how many hops the block holds, so streaming equals one offline pass."""
    def __init__(self, ch):
        super().__init__()
        self.g = nn.Parameter(torch.ones(1, ch, 1))
        self.b = nn.Parameter(torch.zeros(1, ch, 1))

    def forward(self, x):
        m = x.mean(1, keepdim=True)
        v = ((x - m) ** 2).mean(1, keepdim=True)
        return (x - m) / torch.sqrt(v + 1e-5) * self.g + self.b


class VisemeNet(nn.Module):
    def __init__(self, ch=96):
        super().__init__()
        self.front = LogMel()
        self.register_buffer("mu", torch.zeros(NMEL, 1))
        self.register_buffer("sigma", torch.ones(NMEL, 1))
        self.blocks = nn.ModuleList([CausalConv(NMEL, ch, 3, 1), CausalConv(ch, ch, 3, 2), CausalConv(ch, ch, 3, 4), CausalConv(ch, ch, 3, 8), CausalConv(ch, ch, 3, 1)])
        self.norms = nn.ModuleList([FrameNorm(ch) for _ in self.blocks])
        self.head = nn.Conv1d(ch, len(VISEMES), 1)

    def features(self, audio):
        # Per-utterance level normalisation would need the future; a fixed global one keeps it causal.
        return (self.front(audio) - self.mu) / self.sigma

    def forward(self, audio):
        x = self.features(audio)
        for i, (blk, norm) in enumerate(zip(self.blocks, self.norms)):
            y = F.relu(norm(blk(x)))
            x = y if i == 0 else x + y
        return self.head(x)  # logits [B, 15, T]


class Export(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, audio):
        return torch.softmax(self.net(audio), dim=1).transpose(1, 2)  # [1, T, 15]


# ---- augmentation: level, noise, band limits, reverb, speed/pitch ----
def augment(x, y):
    if rng.random() < 0.5:  # speed/pitch perturbation: resample and stretch labels alike
        f = rng.uniform(0.88, 1.12)
        n = int(len(x) / f)
        x = np.interp(np.arange(n) * f, np.arange(len(x)), x).astype(np.float32)
        idx = np.minimum((np.arange(int(len(y) / f)) * f).astype(int), len(y) - 1)
        y = y[idx]
    if rng.random() < 0.4:  # reverb: exponentially decaying noise impulse response
        rt = rng.uniform(0.08, 0.5)
        t = np.arange(int(rt * RATE)) / RATE
        ir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt)
        ir[0] = 1
        ir /= np.sqrt((ir ** 2).sum())
        size = 1 << int(np.ceil(np.log2(len(x) + len(ir))))  # FFT convolution: direct is O(N·M)
        x = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: len(x)].astype(np.float32)
    if rng.random() < 0.5:  # band limits (phone/laptop mics, codecs)
        spec = np.fft.rfft(x)
        freqs = np.fft.rfftfreq(len(x), 1 / RATE)
        spec[freqs > rng.uniform(3000, 7800)] = 0
        spec[freqs < rng.uniform(0, 300)] = 0
        x = np.fft.irfft(spec, len(x)).astype(np.float32)
    if rng.random() < 0.7:  # noise at 5–40 dB SNR
        p = (x ** 2).mean() + 1e-9
        snr = rng.uniform(5, 40)
        x = x + rng.standard_normal(len(x)).astype(np.float32) * math.sqrt(p / 10 ** (snr / 10))
    x = x * 10 ** (rng.uniform(-14, 6) / 20)
    return np.clip(x, -1, 1).astype(np.float32), y


CODECS = {  # ffmpeg encoder settings: voice bitrates and telephone codecs
    "opus12": ["-c:a", "libopus", "-b:a", "12k", "-f", "ogg"],
    "opus24": ["-c:a", "libopus", "-b:a", "24k", "-f", "ogg"],
    "g722": ["-c:a", "g722", "-f", "g722"],
    "ulaw8k": ["-ar", "8000", "-c:a", "pcm_mulaw", "-f", "mulaw"],
}


def codec_copy(split, name):
    """The whole split through one codec and back (ffmpeg), cached beside the data; same length."""
    import subprocess
    path = f"{DATA}/{split}.{name}.pcm"
    src = f"{DATA}/{split}.pcm"
    if not os.path.exists(path):
        enc = subprocess.run(["ffmpeg", "-v", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", src, *CODECS[name], "-"],
                             check=True, capture_output=True).stdout
        fmt = {"g722": ["-f", "g722"], "ulaw8k": ["-f", "mulaw", "-ar", "8000", "-ac", "1"]}.get(name, [])
        dec = subprocess.run(["ffmpeg", "-v", "error", *fmt, "-i", "-", "-f", "s16le", "-ar", str(RATE), "-ac", "1", "-"],
                             input=enc, check=True, capture_output=True).stdout
        open(path, "wb").write(dec)
    pcm = np.fromfile(path, dtype=np.int16).astype(np.float32) / 32768
    n = os.path.getsize(src) // 2
    return np.pad(pcm, (0, max(0, n - len(pcm))))[:n]


def with_codecs(split, data):
    """Each utterance gets its codec versions: list of arrays aligned with the clean one."""
    copies = [codec_copy(split, c) for c in CODECS]
    index = json.load(open(f"{DATA}/{split}.json"))
    return [(a, l, u, [c[u["audio"][0]:sum(u["audio"])] for c in copies]) for (a, l, u) in data]


def batch(data, size, seconds=2.0):
    n = int(seconds * RATE)
    hops = (n - WIN) // HOP + 1
    xs, ys = np.zeros((size, n), np.float32), np.zeros((size, hops), np.int64)
    for b in range(size):
        src = data[b % len(data)] if isinstance(data, list) and data and isinstance(data[0], list) else data
        item = src[rng.integers(len(src))]
        a, l = item[0], item[1]
        if len(item) > 3 and rng.random() < 0.33:
            a = item[3][rng.integers(len(item[3]))]
        # Crop first (with room for the speed change), then augment only the crop: cheaper.
        if len(a) > 1.2 * n + WIN:
            h0 = rng.integers(0, max(1, (len(a) - int(1.2 * n) - WIN) // HOP))
            a = a[h0 * HOP: h0 * HOP + int(1.2 * n) + WIN]
            l = l[h0: h0 + (len(a) - WIN) // HOP + 1]
        a, l = augment(a, l)
        if len(a) < n:
            pad = n - len(a)
            a = np.concatenate([a, np.zeros(pad, np.float32)])
            l = np.concatenate([l, np.zeros(hops, np.int64)])
        start_hop = rng.integers(0, max(1, (len(a) - n) // HOP))
        xs[b] = a[start_hop * HOP: start_hop * HOP + n]
        seg = l[start_hop: start_hop + hops]
        ys[b, : len(seg)] = seg
    return torch.tensor(xs), torch.tensor(ys)


OPEN = np.array([0, 0, 0.1, 0.18, 0.28, 0.32, 0.25, 0.15, 0.22, 0.28, 0.9, 0.6, 0.38, 0.7, 0.35])  # MOUTH_SHAPES[v].open
CLOSED = np.array([COARSE_OF[i] == 0 for i in range(len(VISEMES))])
CONTEXT_HOPS, RUN_EVERY_HOPS = 48, 4  # as pipeline/stages/lipsync/onnx-voice-mouth.ts runs it


def stream_probs(net, a):
    """Probabilities per hop the way the runtime computes them: blocks of ≥4 new hops after 48 hops of context."""
    hops = (len(a) - WIN) // HOP + 1
    out = np.zeros((hops, len(VISEMES)), np.float32)
    nxt = 0
    while nxt < hops:
        complete = min(hops, nxt + RUN_EVERY_HOPS)
        first = max(0, nxt - CONTEXT_HOPS)
        block = a[first * HOP:(complete - 1) * HOP + WIN]
        p = torch.softmax(net(torch.tensor(block)[None])[0], 0).T.numpy()
        out[nxt:complete] = p[nxt - first:complete - first]
        nxt = complete
    return out


def table(net, data, streaming=True):
    """The issue's table: 15-class and coarse accuracy, bilabials shown closed, r(opening)."""
    net.eval()
    ok = okc = total = pp = ppc = 0
    po, ro = [], []
    with torch.no_grad():
        for item in data:
            a, l = item[0], item[1]
            probs = stream_probs(net, a) if streaming else torch.softmax(net(torch.tensor(a)[None])[0], 0).T.numpy()
            probs = probs[LOOKAHEAD:]
            ref = l[: len(probs)]
            probs = probs[: len(ref)]
            pred = probs.argmax(1)
            ok += (pred == ref).sum(); okc += (COARSE_OF[pred] == COARSE_OF[ref]).sum(); total += len(ref)
            is_pp = ref == VISEMES.index("PP")
            pp += is_pp.sum(); ppc += CLOSED[pred[is_pp]].sum()
            po.append(probs @ OPEN); ro.append(OPEN[ref])
    net.train()
    po, ro = np.concatenate(po), np.concatenate(ro)
    return {"frames": int(total), "accuracy15": round(ok / total, 4), "accuracyCoarse": round(okc / total, 4),
            "bilabialsClosed": round(ppc / max(pp, 1), 4), "rOpening": round(float(np.corrcoef(po, ro)[0, 1]), 4)}


def main():
    steps = int(os.environ.get("VV_STEPS", 2500))
    synthetic = with_codecs("train", load("train"))
    real = with_codecs("real-train", load("real-train"))
    train = [synthetic, real]  # batch() alternates: half synthetic, half recorded
    val = load("real-val")
    tests = {s: load(s) for s in ["real-test-en", "test-espeak-en", "test-espeak-zh", "test-flite-en", "test-yue-zh"]}
    net = VisemeNet()
    with torch.no_grad():  # feature normalisation from clean training audio
        feats = torch.cat([net.front(torch.tensor(it[0])[None])[0] for it in synthetic[:150] + real[:150]], dim=1)
        net.mu.copy_(feats.mean(1, keepdim=True)); net.sigma.copy_(feats.std(1, keepdim=True) + 1e-3)
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    # Lip closures are what viewers notice: PP and FF count double.
    closure = float(os.environ.get("VV_CLOSURE_WEIGHT", 2.0))
    weights = torch.ones(len(VISEMES)); weights[VISEMES.index("PP")] = closure; weights[VISEMES.index("FF")] = closure
    best, best_state = -1.0, None
    t0 = time.time()
    for step in range(steps):
        x, y = batch(train, 24)
        logits = net(x)
        loss = F.cross_entropy(logits[:, :, LOOKAHEAD:], y[:, : logits.shape[2] - LOOKAHEAD], weight=weights, label_smoothing=0.05)
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        if step % 250 == 0 or step == steps - 1:
            v = table(net, val, streaming=False)  # offline = streaming with frame norms; cheaper
            score = v["accuracy15"] + v["accuracyCoarse"] + 0.5 * v["bilabialsClosed"]
            if score > best:
                best, best_state = score, {k: t.clone() for k, t in net.state_dict().items()}
            print(f"step {step} loss {loss.item():.3f} val {v} {time.time() - t0:.0f}s", flush=True)
    net.load_state_dict(best_state)
    # Offline here (frame norms make it equal to streaming); eval-real.ts scores the exported model
    # streamed through onnxruntime as the server runs it and adds those figures to the manifest.
    metrics = {name: table(net, d, streaming=False) for name, d in tests.items()}
    metrics["real-val"] = table(net, val, streaming=False)
    for k, m in metrics.items():
        print(k, m, flush=True)
    net.eval()
    out = os.path.join(os.environ.get("VV_OUT_DIR", HERE), "voice-visemes.onnx")
    torch.onnx.export(Export(net), torch.zeros(1, 16000), out, input_names=["audio"], output_names=["visemes"],
                      dynamic_axes={"audio": {1: "samples"}, "visemes": {1: "hops"}}, opset_version=17,
                      **({"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}))
    digest = hashlib.sha256(open(out, "rb").read()).hexdigest()
    recipe = json.load(open(f"{DATA}/recipe.json"))
    manifest = {
        "model": "voice-visemes.onnx", "sha256": digest, "bytes": os.path.getsize(out), "parameters": params,
        "input": {"name": "audio", "shape": [1, "samples"], "sampleRate": RATE, "range": "[-1, 1] float32 mono"},
        "output": {"name": "visemes", "shape": [1, "hops", 15], "hopSamples": HOP, "windowSamples": WIN,
                   "lookaheadHops": LOOKAHEAD, "meaning": "hop t (window [t*160, t*160+400)) gives viseme probabilities for hop t-2"},
        "visemes": VISEMES, "coarseGroups": COARSE,
        "training": {"steps": steps, "batch": "24 × 2 s crops", "augmentation": "codecs (a third of crops: Opus 12/24 kbit/s, G.722, 8 kHz µ-law, via ffmpeg), speed/pitch ±12 %, reverb RT60 0.08–0.5 s, band limits 3–7.8 kHz / 0–300 Hz, noise 5–40 dB SNR, level −14…+6 dB",
                     "loss": f"cross-entropy, PP and FF weighted ×{closure:g}, label smoothing 0.05; checkpoint chosen on the validation speaker (15-class + coarse + ½ bilabials closed)",
                     "realData": json.load(open(f"{DATA}/recipe-real.json")), "realRecipe": "node --import tsx models/voice-visemes/real-speech.ts",
                     "data": recipe, "dataRecipe": "node --import tsx models/voice-visemes/make-data.ts", "trainRecipe": "python3 models/voice-visemes/train.py",
                     "seconds": round(time.time() - t0)},
        "metrics": metrics,
    }
    json.dump(manifest, open(os.path.join(os.environ.get("VV_OUT_DIR", HERE), "manifest.json"), "w"), indent=2)
    print("wrote", out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
