"""PyTorch reference models for cascade-tuner's benchmarks (CPU: Debian's python3-torch; GPU: the device's PyTorch).

Written from shared/spec/stage-c-architecture.md (no diffusers/transformers needed, so it runs where only torch is
installed): the Stage C prior (diffusers StableCascadeUNet names, built from its config.json), the CLIP-G text encoder
(CLIPTextModelWithProjection names, from its config.json), and the EfficientNet encoder (torchvision's
efficientnet_v2_s features + the 1x1 mapper). check_goldens() verifies the first two against shared/goldens before
any timing is trusted.
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------- safetensors
_DT = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        if v["dtype"] == "BF16":
            raw = np.frombuffer(data[a:b], dtype=np.uint16).astype(np.uint32) << 16
            arr = raw.view(np.float32)
        else:
            arr = np.frombuffer(data[a:b], dtype=_DT[v["dtype"]])
        out[k] = torch.from_numpy(arr.copy().reshape(v["shape"]))
    return out


# ---------------------------------------------------------------------------------------------- Stage C
class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class GlobalResponseNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(1, 1, 1, dim))
        self.beta = nn.Parameter(torch.zeros(1, 1, 1, dim))

    def forward(self, x):
        g = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
        n = g / (g.mean(dim=-1, keepdim=True) + 1e-6)
        return self.gamma * (x * n) + self.beta + x


class ResBlock(nn.Module):
    def __init__(self, c, c_skip=0, kernel_size=3, dropout=0.0):
        super().__init__()
        self.depthwise = nn.Conv2d(c, c, kernel_size, padding=kernel_size // 2, groups=c)
        self.norm = LayerNorm2d(c, elementwise_affine=False, eps=1e-6)
        self.channelwise = nn.Sequential(nn.Linear(c + c_skip, c * 4), nn.GELU(), GlobalResponseNorm(c * 4),
                                         nn.Dropout(dropout), nn.Linear(c * 4, c))

    def forward(self, x, skip=None):
        res = x
        x = self.norm(self.depthwise(x))
        if skip is not None:
            x = torch.cat([x, skip], dim=1)
        return self.channelwise(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2) + res


class TimestepBlock(nn.Module):
    def __init__(self, c, c_r, conds):
        super().__init__()
        self.mapper = nn.Linear(c_r, c * 2)
        self.conds = conds
        for cn in conds:
            setattr(self, f"mapper_{cn}", nn.Linear(c_r, c * 2))

    def forward(self, x, t):
        t = t.chunk(len(self.conds) + 1, dim=1)
        a, b = self.mapper(t[0])[:, :, None, None].chunk(2, dim=1)
        for i, cn in enumerate(self.conds):
            ac, bc = getattr(self, f"mapper_{cn}")(t[i + 1])[:, :, None, None].chunk(2, dim=1)
            a, b = a + ac, b + bc
        return x * (1 + a) + b


class Attention(nn.Module):
    """diffusers' Attention as Stage C uses it: q from x, k/v from [x_norm; kv], dropout on the output."""

    def __init__(self, c, heads, dropout=0.0):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(c, c)
        self.to_k = nn.Linear(c, c)
        self.to_v = nn.Linear(c, c)
        self.to_out = nn.ModuleList([nn.Linear(c, c), nn.Dropout(dropout)])

    def forward(self, x, ctx):
        b, t, c = x.shape
        h = self.heads
        q = self.to_q(x).view(b, -1, h, c // h).transpose(1, 2)
        k = self.to_k(ctx).view(b, -1, h, c // h).transpose(1, 2)
        v = self.to_v(ctx).view(b, -1, h, c // h).transpose(1, 2)
        o = F.scaled_dot_product_attention(q, k, v) if hasattr(F, "scaled_dot_product_attention") else \
            torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // h), dim=-1) @ v
        o = o.transpose(1, 2).reshape(b, -1, c)
        return self.to_out[1](self.to_out[0](o))


class AttnBlock(nn.Module):
    def __init__(self, c, c_cond, nhead, self_attn=True, dropout=0.0):
        super().__init__()
        self.self_attn = self_attn
        self.norm = LayerNorm2d(c, elementwise_affine=False, eps=1e-6)
        self.attention = Attention(c, nhead, dropout)
        self.kv_mapper = nn.Sequential(nn.SiLU(), nn.Linear(c_cond, c))

    def forward(self, x, kv):
        kv = self.kv_mapper(kv)
        xn = self.norm(x)
        b, c, hh, ww = x.shape
        q = xn.view(b, c, -1).transpose(1, 2)
        if self.self_attn:
            kv = torch.cat([q, kv], dim=1)
        return x + self.attention(q, kv).transpose(1, 2).reshape(b, c, hh, ww)


class UpDownBlock2d(nn.Module):
    def __init__(self, c_in, c_out, mode):
        super().__init__()
        conv = nn.Conv2d(c_in, c_out, 1)
        self.blocks = nn.ModuleList([nn.Identity(), conv] if mode == "up" else [conv, nn.Identity()])

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return x


def r_embedding(r, c_r, max_positions=10000):
    r = r * max_positions
    half = c_r // 2
    emb = math.log(max_positions) / (half - 1)
    emb = torch.arange(half, device=r.device).float().mul(-emb).exp()
    emb = r[:, None] * emb[None, :]
    return torch.cat([emb.sin(), emb.cos()], dim=1)


class StageC(nn.Module):
    BLOCKS = {"SDCascadeResBlock": "C", "SDCascadeTimestepBlock": "T", "SDCascadeAttnBlock": "A"}

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        ch, c_cond, c_r = cfg["block_out_channels"], cfg["conditioning_dim"], cfg["timestep_ratio_embedding_dim"]
        seq, p = cfg["clip_seq"], cfg["patch_size"]
        self.clip_txt_pooled_mapper = nn.Linear(cfg["clip_text_pooled_in_channels"], c_cond * seq)
        self.clip_txt_mapper = nn.Linear(cfg["clip_text_in_channels"], c_cond)
        self.clip_img_mapper = nn.Linear(cfg["clip_image_in_channels"], c_cond * seq)
        self.clip_norm = nn.LayerNorm(c_cond, elementwise_affine=False, eps=1e-6)
        self.embedding = nn.Sequential(nn.PixelUnshuffle(p), nn.Conv2d(cfg["in_channels"] * p * p, ch[0], 1),
                                       LayerNorm2d(ch[0], elementwise_affine=False, eps=1e-6))

        def block(kind, c_hidden, nhead, c_skip=0, dropout=0.0):
            if kind == "C":
                return ResBlock(c_hidden, c_skip, cfg["kernel_size"], dropout)
            if kind == "A":
                return AttnBlock(c_hidden, c_cond, nhead, cfg["self_attn"], dropout)
            return TimestepBlock(c_hidden, c_r, cfg["timestep_conditioning_type"])

        types = [[self.BLOCKS[t] for t in level] for level in cfg["block_types_per_layer"]]
        L = len(ch)
        self.down_downscalers, self.down_blocks, self.down_repeat_mappers = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for i in range(L):
            self.down_downscalers.append(nn.Identity() if i == 0 else nn.Sequential(
                LayerNorm2d(ch[i - 1], elementwise_affine=False, eps=1e-6), UpDownBlock2d(ch[i - 1], ch[i], "down")))
            blocks = nn.ModuleList()
            for _ in range(cfg["down_num_layers_per_block"][i]):
                for t in types[i]:
                    blocks.append(block(t, ch[i], cfg["num_attention_heads"][i], dropout=cfg["dropout"][i]))
            self.down_blocks.append(blocks)
            self.down_repeat_mappers.append(nn.ModuleList(
                [nn.Conv2d(ch[i], ch[i], 1) for _ in range(cfg["down_blocks_repeat_mappers"][i] - 1)]))
        self.up_upscalers, self.up_blocks, self.up_repeat_mappers = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for i in reversed(range(L)):
            self.up_upscalers.append(nn.Identity() if i == 0 else nn.Sequential(
                LayerNorm2d(ch[i], elementwise_affine=False, eps=1e-6), UpDownBlock2d(ch[i], ch[i - 1], "up")))
            blocks = nn.ModuleList()
            for j in range(cfg["up_num_layers_per_block"][::-1][i]):
                for k, t in enumerate(types[i]):
                    c_skip = ch[i] if i < L - 1 and j == k == 0 else 0
                    blocks.append(block(t, ch[i], cfg["num_attention_heads"][i], c_skip, cfg["dropout"][i]))
            self.up_blocks.append(blocks)
            self.up_repeat_mappers.append(nn.ModuleList(
                [nn.Conv2d(ch[i], ch[i], 1) for _ in range(cfg["up_blocks_repeat_mappers"][::-1][i] - 1)]))
        self.clf = nn.Sequential(LayerNorm2d(ch[0], elementwise_affine=False, eps=1e-6),
                                 nn.Conv2d(ch[0], cfg["out_channels"] * p * p, 1), nn.PixelShuffle(p))

    @staticmethod
    def _run(blocks, x, r, clip, skip=None):
        for k, b in enumerate(blocks):
            if isinstance(b, ResBlock):
                x = b(x, skip if k == 0 else None)
            elif isinstance(b, AttnBlock):
                x = b(x, clip)
            else:
                x = b(x, r)
        return x

    def forward(self, x, r, clip_text, clip_text_pooled, clip_img, sca=None, crp=None):
        c_r = self.cfg["timestep_ratio_embedding_dim"]
        conds = {"sca": sca, "crp": crp}
        r_embed = r_embedding(r, c_r)
        for c in self.cfg["timestep_conditioning_type"]:
            t = conds.get(c)
            r_embed = torch.cat([r_embed, r_embedding(t if t is not None else torch.zeros_like(r), c_r)], dim=1)
        seq = self.cfg["clip_seq"]
        pooled = self.clip_txt_pooled_mapper(clip_text_pooled).view(clip_text_pooled.size(0), seq, -1)
        img = self.clip_img_mapper(clip_img).view(clip_img.size(0), clip_img.size(1) * seq, -1)
        clip = self.clip_norm(torch.cat([self.clip_txt_mapper(clip_text), pooled, img], dim=1))
        x = self.embedding(x)
        levels = []
        for down, rep, blocks in zip(self.down_downscalers, self.down_repeat_mappers, self.down_blocks):
            x = down(x)
            for j in range(len(rep) + 1):
                x = self._run(blocks, x, r_embed, clip)
                if j < len(rep):
                    x = rep[j](x)
            levels.insert(0, x)
        x = levels[0]
        for i, (blocks, up, rep) in enumerate(zip(self.up_blocks, self.up_upscalers, self.up_repeat_mappers)):
            for j in range(len(rep) + 1):
                x = self._run(blocks, x, r_embed, clip, levels[i] if i > 0 else None)
                if j < len(rep):
                    x = rep[j](x)
            x = up(x)
        return self.clf(x)


def lora_targets(model, names=("to_q", "to_k", "to_v", "to_out.0")):
    """The Linear modules PEFT would adapt for the given target names."""
    out = {}
    for name, m in model.named_modules():
        if isinstance(m, nn.Linear) and any(name.endswith("." + t) or name == t for t in names):
            out[name] = m
    return out


class LoraLinear(nn.Module):
    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scale = alpha / rank
        for p in base.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scale


def add_lora(model, rank, alpha):
    for p in model.parameters():
        p.requires_grad_(False)
    for name, lin in lora_targets(model).items():
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        if isinstance(parent, nn.ModuleList):
            parent[int(child)] = LoraLinear(lin, rank, alpha)
        else:
            setattr(parent, child, LoraLinear(lin, rank, alpha))
    return [p for p in model.parameters() if p.requires_grad]


# ---------------------------------------------------------------------------------------------- CLIP-G text
class ClipLayer(nn.Module):
    def __init__(self, d, heads, mlp, eps, act):
        super().__init__()
        self.heads = heads
        self.layer_norm1 = nn.LayerNorm(d, eps=eps)
        self.layer_norm2 = nn.LayerNorm(d, eps=eps)
        self.self_attn = nn.Module()
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self.self_attn, n, nn.Linear(d, d))
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(d, mlp)
        self.mlp.fc2 = nn.Linear(mlp, d)
        self.act = act

    def forward(self, h, mask):
        b, t, d = h.shape
        x = self.layer_norm1(h)
        a = self.self_attn
        q = a.q_proj(x).view(b, t, self.heads, -1).transpose(1, 2)
        k = a.k_proj(x).view(b, t, self.heads, -1).transpose(1, 2)
        v = a.v_proj(x).view(b, t, self.heads, -1).transpose(1, 2)
        s = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + mask
        o = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        h = h + a.out_proj(o)
        x = self.layer_norm2(h)
        return h + self.mlp.fc2(self.act(self.mlp.fc1(x)))


class ClipText(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        act = nn.GELU() if cfg.get("hidden_act", "gelu") == "gelu" else (lambda x: x * torch.sigmoid(1.702 * x))
        self.text_model = nn.Module()
        tm = self.text_model
        tm.embeddings = nn.Module()
        tm.embeddings.token_embedding = nn.Embedding(cfg["vocab_size"], d)
        tm.embeddings.position_embedding = nn.Embedding(cfg["max_position_embeddings"], d)
        tm.encoder = nn.Module()
        tm.encoder.layers = nn.ModuleList([ClipLayer(d, cfg["num_attention_heads"], cfg["intermediate_size"],
                                                     cfg["layer_norm_eps"], act)
                                           for _ in range(cfg["num_hidden_layers"])])
        tm.final_layer_norm = nn.LayerNorm(d, eps=cfg["layer_norm_eps"])
        self.text_projection = nn.Linear(d, cfg["projection_dim"], bias=False)
        self.eos = cfg.get("eos_token_id", 49407)

    def forward(self, ids, attention_mask):
        b, t = ids.shape
        tm = self.text_model
        h = tm.embeddings.token_embedding(ids) + tm.embeddings.position_embedding.weight[:t]
        causal = torch.full((t, t), float("-inf")).triu(1)
        pad = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        mask = causal[None, None] + pad
        for layer in tm.encoder.layers:
            h = layer(h, mask)
        last = tm.final_layer_norm(h)
        eos_pos = (ids == 49407).int().argmax(dim=-1)
        pooled = last[torch.arange(b), eos_pos]
        return h, last, self.text_projection(pooled)


# ---------------------------------------------------------------------------------------------- EfficientNet
def effnet_encoder(c_latent=16):
    import torchvision
    backbone = torchvision.models.efficientnet_v2_s().features
    mapper = nn.Sequential(nn.Conv2d(1280, c_latent, 1, bias=False), nn.BatchNorm2d(c_latent, affine=False))
    return nn.Sequential(backbone, mapper).eval()


# ---------------------------------------------------------------------------------------------- golden checks
def _rel(a, b):
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def check_goldens(goldens):
    """Our PyTorch Stage C and CLIP against the reference fixtures; returns {check: max relative error}."""
    res = {}
    for name in ("unet_tiny", "unet_repeat"):
        cfg = json.load(open(f"{goldens}/{name}/config.json"))
        m = StageC(cfg).eval()
        missing = m.load_state_dict(load_safetensors(f"{goldens}/{name}/diffusion_pytorch_model.safetensors"))
        io = load_safetensors(f"{goldens}/{name}/io.safetensors")
        args = (io["sample"], io["timestep_ratio"], io["clip_text"], io["clip_text_pooled"], io["clip_img"])
        out = m(*args)
        res[f"{name}/out"] = _rel(out, io["out"])
        loss = ((out - io["grad_target"]) ** 2).mean()
        loss.backward()
        grads = load_safetensors(f"{goldens}/{name}/grads.safetensors")
        worst = 0.0
        for pn, p in m.named_parameters():
            key = pn if pn in grads else "grad/" + pn
            # key biases get an exactly-zero gradient in theory (softmax ignores a constant); skip their noise
            if key in grads and float(grads[key].abs().max()) > 1e-7:
                worst = max(worst, _rel(p.grad, grads[key]))
        res[f"{name}/grads(max over params)"] = worst
    cfg = json.load(open(f"{goldens}/clip_text/config.json"))
    clip = ClipText(cfg).eval()
    clip.load_state_dict(load_safetensors(f"{goldens}/clip_text/model.safetensors"), strict=False)
    io = load_safetensors(f"{goldens}/clip_text/io.safetensors")
    with torch.no_grad():
        h, last, emb = clip(io["input_ids"], io["attention_mask"])
    res["clip/clip_text"] = _rel(h, io["clip_text"])
    res["clip/text_embeds"] = _rel(emb, io["text_embeds"])
    return res


if __name__ == "__main__":
    import sys
    for k, v in check_goldens(sys.argv[1] if len(sys.argv) > 1 else "shared/goldens").items():
        print(f"{k}: {v:.2e}")
