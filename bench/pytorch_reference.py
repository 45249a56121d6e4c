#!/usr/bin/env python3
"""The reference a LayerLab user would otherwise write: a plain PyTorch training loop.

Same work as `layerlab-cli train` on Fashion-MNIST: the model of LayerLab's mlp or cnn template,
the training part (54,000 images, or --limit of the whole) shuffled every epoch, Adam (lr 0.001),
cross-entropy, training loss and accuracy summed per epoch, and the validation part evaluated
after every epoch without autograd, 1,024 images at a time. Inputs are normalised with the
training part's mean and standard deviation, as LayerLab's default z-score does.

    pytorch_reference.py train --model mlp --batch-size 32 --epochs 3 --threads 2
    pytorch_reference.py load            (reading Fashion-MNIST with numpy, timed)

Prints one JSON object on the last line of standard output.
"""

import argparse
import gzip
import json
import os
import time

import numpy as np

DATA_DIR = os.environ.get("LAYERLAB_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
EVAL_BATCH = 1024


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(limit=0, val_fraction=0.1, seed=42):
    """Fashion-MNIST as float32 arrays [N, 1, 28, 28], split and z-score normalised."""
    images = read_idx(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, "train-labels-idx1-ubyte.gz"))
    test_images = read_idx(os.path.join(DATA_DIR, "t10k-images-idx3-ubyte.gz"))
    test_labels = read_idx(os.path.join(DATA_DIR, "t10k-labels-idx1-ubyte.gz"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    order = np.random.default_rng(seed).permutation(len(images))
    val_count = int(round(len(images) * val_fraction))
    val_index, train_index = order[:val_count], order[val_count:]

    def prepare(x):
        return (x.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)

    x_train = prepare(images[train_index])
    mean, std = x_train.mean(), x_train.std()
    parts = {
        "train": ((x_train - mean) / std, labels[train_index].astype(np.int64)),
        "val": ((prepare(images[val_index]) - mean) / std, labels[val_index].astype(np.int64)),
        "test": ((prepare(test_images) - mean) / std, test_labels.astype(np.int64)),
    }
    return parts


def make_model(name, torch):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(128, 10))
    raise SystemExit("unknown model " + name)


def train(args):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    parts = load(args.limit)
    x_train, y_train = (torch.from_numpy(a) for a in parts["train"])
    x_val, y_val = (torch.from_numpy(a) for a in parts["val"])
    model = make_model(args.model, torch)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    n, bs = len(x_train), args.batch_size
    batches = (n + bs - 1) // bs
    if batches > 1 and n % bs == 1:
        batches -= 1  # a lone last sample joins the batch before, as LayerLab does
    seconds, history = [], []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        generator = torch.Generator().manual_seed(args.seed + epoch)
        order = torch.randperm(n, generator=generator)
        loss_sum = torch.zeros((), dtype=torch.float64)
        correct = torch.zeros((), dtype=torch.int64)
        for b in range(batches):
            index = order[b * bs: n if b + 1 == batches else (b + 1) * bs]
            x, y = x_train[index], y_train[index]
            optimizer.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach().double() * len(y)
            correct += (out.detach().argmax(1) == y).sum()
        model.eval()
        val_loss = torch.zeros((), dtype=torch.float64)
        val_correct = torch.zeros((), dtype=torch.int64)
        with torch.no_grad():
            for begin in range(0, len(x_val), EVAL_BATCH):
                x, y = x_val[begin: begin + EVAL_BATCH], y_val[begin: begin + EVAL_BATCH]
                out = model(x)
                val_loss += F.cross_entropy(out, y).double() * len(y)
                val_correct += (out.argmax(1) == y).sum()
        seconds.append(time.perf_counter() - start)
        history.append({"train_loss": loss_sum.item() / n, "train_accuracy": correct.item() / n,
                        "val_loss": val_loss.item() / max(1, len(y_val)),
                        "val_accuracy": val_correct.item() / max(1, len(y_val))})
    print(json.dumps({"model": args.model, "threads": torch.get_num_threads(),
                      "epoch_seconds": seconds, "history": history}))


def load_only(_args):
    start = time.perf_counter()
    parts = load()
    seconds = time.perf_counter() - start
    print(json.dumps({"load_seconds": seconds, "train": len(parts["train"][0])}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--threads", type=int, default=os.cpu_count())
    t.add_argument("--limit", type=int, default=0)
    t.add_argument("--seed", type=int, default=42)
    t.set_defaults(run=train)
    sub.add_parser("load").set_defaults(run=load_only)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
