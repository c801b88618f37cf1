import { describe, expect, it } from 'vitest';
import {
  type CheckpointLayout,
  expectedTensors,
  isIgnoredTensor,
  toCanonicalName,
  toCanonicalShape,
  toSourceName,
} from './checkpoint-names.js';
import { EMU3_GEN as EMU3 } from './reference-fixtures.js';

const numel = (shape: number[]) => shape.reduce((product, dim) => product * dim, 1);

function sumWhere(tensors: Map<string, number[]>, test: (name: string) => boolean): number {
  let total = 0;
  for (const [name, shape] of tensors) if (test(name)) total += numel(shape);
  return total;
}

describe('expectedTensors', () => {
  const tensors = expectedTensors(EMU3);
  const isDecoder = (name: string) => name.startsWith('model.') || name === 'lm_head.weight';

  it('matches the published decoder: 291 tensors, 8,492,011,520 parameters', () => {
    expect([...tensors.keys()].filter(isDecoder)).toHaveLength(291);
    expect(sumWhere(tensors, isDecoder)).toBe(8_492_011_520);
    expect(tensors.get('model.layers.31.self_attn.k_proj.weight')).toEqual([1024, 4096]);
  });

  it('matches the published vision tokenizer: 270,740,287 parameters plus 64 running statistics', () => {
    const isStat = (name: string) => /running_(?:mean|var)$/.test(name);
    expect(sumWhere(tensors, (name) => !isDecoder(name) && !isStat(name))).toBe(270_740_287);
    expect(sumWhere(tensors, isStat)).toBe(64);
    expect(sumWhere(tensors, (name) => name.startsWith('encoder.'))).toBeCloseTo(109.49e6, -4);
    expect(sumWhere(tensors, (name) => name.startsWith('decoder.'))).toBeCloseTo(161.12e6, -4);
    expect(sumWhere(tensors, (name) => name.startsWith('quant_conv.'))).toBe(52);
  });

  it('has the BAAI original names and shapes', () => {
    expect(tensors.get('encoder.time_conv.1.conv.conv.weight')).toEqual([4, 4, 4, 3, 3]);
    expect(tensors.get('decoder.time_conv.0.conv.conv.weight')).toEqual([4, 4, 3, 3, 3]);
    expect(tensors.get('encoder.time_res_stack.1.conv2.conv.weight')).toEqual([4, 4, 3, 3, 3]);
    expect(tensors.get('encoder.down.3.attn.1.proj_out.weight')).toEqual([1024, 1024, 1, 1]);
    expect(tensors.get('encoder.down.1.block.0.nin_shortcut.weight')).toEqual([512, 256, 1, 1]);
    expect(tensors.get('decoder.up.2.block.0.nin_shortcut.weight')).toEqual([512, 1024, 1, 1]);
    expect(tensors.get('decoder.up.0.block.0.nin_shortcut.weight')).toEqual([256, 512, 1, 1]);
    expect(tensors.get('decoder.up.3.attn.2.norm.conv_y.weight')).toEqual([1024, 4, 1, 1]);
    expect(tensors.get('decoder.norm_out.norm_layer.weight')).toEqual([256]);
    expect(tensors.get('quantize.embedding.weight')).toEqual([32768, 4]);
    expect(tensors.get('post_quant_conv.conv.weight')).toEqual([4, 4, 3, 1, 1]);
    expect(tensors.has('encoder.down.3.downsample.conv.weight')).toBe(false);
    expect(tensors.has('decoder.up.0.upsample.conv.weight')).toBe(false);
  });
});

describe('layout name tables', () => {
  const layouts: CheckpointLayout[] = ['baai', 'hf-disk', 'hf-memory'];

  it('maps every canonical name to a source name and back', () => {
    for (const layout of layouts) {
      for (const name of expectedTensors(EMU3).keys()) {
        expect(toCanonicalName(layout, toSourceName(layout, name))?.name, `${layout} ${name}`).toBe(name);
      }
    }
  });

  it.each([
    ['model.layers.0.self_attn.q_proj.weight', 'text_model.model.layers.0.self_attn.q_proj.weight'],
    ['lm_head.weight', 'text_model.lm_head.weight'],
    ['encoder.down.3.attn.1.q.weight', 'vqmodel.encoder.down_block.down.3.attn.1.q_proj.weight'],
    ['encoder.down.3.attn.0.proj_out.bias', 'vqmodel.encoder.down_block.down.3.attn.0.out_proj.bias'],
    ['encoder.down.3.attn.0.norm.weight', 'vqmodel.encoder.down_block.down.3.attn_norms.0.weight'],
    ['encoder.down.0.downsample.conv.weight', 'vqmodel.encoder.down_block.down.0.downsample.conv.weight'],
    ['encoder.mid.attn_1.norm.bias', 'vqmodel.encoder.middle_block.attn_norm.bias'],
    ['encoder.mid.attn_1.k.weight', 'vqmodel.encoder.middle_block.attn_1.k_proj.weight'],
    ['decoder.mid.attn_1.norm.conv_y.weight', 'vqmodel.decoder.middle_block.attn_norm.conv_y.weight'],
    [
      'decoder.up.3.attn.2.norm.norm_layer.bias',
      'vqmodel.decoder.up_block.up.3.attn_norms.2.norm_layer.bias',
    ],
    ['decoder.up.2.upsample.conv.weight', 'vqmodel.decoder.up_block.up.2.upsample.conv.weight'],
    ['encoder.time_conv.0.conv.conv.weight', 'vqmodel.encoder.time_conv.0.conv.conv.weight'],
    ['quant_conv.conv.weight', 'vqmodel.quant_conv.conv.weight'],
  ])('names %s as %s on disk', (canonical, onDisk) => {
    expect(toSourceName('hf-disk', canonical)).toBe(onDisk);
    expect(toCanonicalName('hf-disk', onDisk)).toEqual({
      name: canonical,
      part: canonical.startsWith('model.') || canonical.startsWith('lm_head') ? 'decoder' : 'vision',
    });
  });

  it('uses the in-memory prefixes of the transformers module tree', () => {
    expect(toSourceName('hf-memory', 'model.norm.weight')).toBe('model.text_model.norm.weight');
    expect(toSourceName('hf-memory', 'lm_head.weight')).toBe('lm_head.weight');
    expect(toSourceName('hf-memory', 'decoder.mid.attn_1.v.bias')).toBe(
      'model.vqmodel.decoder.middle_block.attn_1.v_proj.bias',
    );
    expect(toCanonicalName('hf-memory', 'text_model.model.norm.weight')).toBeUndefined();
    expect(toCanonicalName('baai', 'vqmodel.quant_conv.conv.weight')).toBeUndefined();
  });

  it('reshapes Linear VQ attention weights to 1x1 convs, and nothing else', () => {
    expect(toCanonicalShape('hf-disk', 'decoder.up.3.attn.0.q.weight', [1024, 1024])).toEqual([
      1024, 1024, 1, 1,
    ]);
    expect(toCanonicalShape('hf-memory', 'encoder.mid.attn_1.proj_out.weight', [8, 8])).toEqual([8, 8, 1, 1]);
    expect(toCanonicalShape('hf-disk', 'encoder.mid.attn_1.q.bias', [8])).toEqual([8]);
    expect(toCanonicalShape('hf-disk', 'model.layers.0.self_attn.q_proj.weight', [8, 8])).toEqual([8, 8]);
    expect(toCanonicalShape('baai', 'encoder.mid.attn_1.q.weight', [8, 8])).toEqual([8, 8]);
  });

  it('ignores bookkeeping buffers', () => {
    expect(isIgnoredTensor('vqmodel.encoder.time_res_stack.0.norm1.num_batches_tracked')).toBe(true);
    expect(isIgnoredTensor('model.layers.0.self_attn.rotary_emb.inv_freq')).toBe(true);
    expect(isIgnoredTensor('encoder.time_res_stack.0.norm1.running_mean')).toBe(false);
  });
});
