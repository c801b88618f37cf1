/**
 * A small typed way to write ONNX graphs from TypeScript: the step of the model path that turns imported
 * weights into the ONNX files of a model package (docs/model-package.md), with no Python anywhere.
 * Nodes get unique output names automatically; weights are initializers, kept inline for small graphs or
 * streamed to an external data file (for graphs over 2 GB, the protobuf limit) as they are added, so the
 * builder never holds more than one weight at a time.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { InternalError } from '../../api/index.js';

export type DType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int8'
  | 'uint8'
  | 'bool'
  /** Packed two to a byte, first element in the low nibble (ONNX's int4 layout); opset 21. */
  | 'uint4'
  | 'int4';

// onnx-proto is CommonJS: Node's ESM loader exposes it only as a default export.
const proto = onnxProto.onnx;

const ONNX_TYPE: Record<DType, onnx.TensorProto.DataType> = {
  float32: proto.TensorProto.DataType.FLOAT,
  float16: proto.TensorProto.DataType.FLOAT16,
  bfloat16: proto.TensorProto.DataType.BFLOAT16,
  int64: proto.TensorProto.DataType.INT64,
  int32: proto.TensorProto.DataType.INT32,
  int8: proto.TensorProto.DataType.INT8,
  uint8: proto.TensorProto.DataType.UINT8,
  bool: proto.TensorProto.DataType.BOOL,
  // onnx-proto 8 predates the 4-bit types; their ONNX enum values are 21 (UINT4) and 22 (INT4).
  uint4: 21 as onnx.TensorProto.DataType,
  int4: 22 as onnx.TensorProto.DataType,
};

/** A dimension: a fixed size, or a symbolic name for a dynamic one (`'batch'`, `'sequence'`). */
export type Dim = number | string;

/** Marks a number (or numbers) as a float attribute; plain numbers are ints. */
export class FloatAttr {
  constructor(readonly value: number | readonly number[]) {}
}
export const float = (value: number | readonly number[]) => new FloatAttr(value);

export type AttrValue = number | readonly number[] | string | FloatAttr;

export interface GraphBuilderOptions {
  name: string;
  /** Default-domain opset. */
  opset?: number;
  /** Stream every initializer of at least `minBytes` to this file, referenced by `location`. */
  externalData?: { path: string; location: string; minBytes?: number };
}

const DEFAULT_OPSET = 21;
const MAX_WRITE_BYTES = 1 << 30;
const MICROSOFT_DOMAIN = 'com.microsoft';

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  /** Node names: kept apart from tensor names, which a node with explicit output names does not claim. */
  private readonly nodeNames = new Set<string>();
  private usesMicrosoftDomain = false;
  private external: { fd: number; offset: number; location: string; minBytes: number } | undefined;

  constructor(private readonly options: GraphBuilderOptions) {
    if (options.externalData) {
      this.external = {
        fd: openSync(options.externalData.path, 'w'),
        offset: 0,
        location: options.externalData.location,
        minBytes: options.externalData.minBytes ?? 1024,
      };
    }
  }

  input(name: string, dtype: DType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), dtype, dims));
    return name;
  }

  output(name: string, dtype: DType, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  /** A weight or constant tensor. `data` is copied (or written out) at once. */
  initializer(name: string, dtype: DType, dims: readonly number[], data: ArrayBufferView): string {
    const tensor: onnx.ITensorProto = { name: this.claim(name), dataType: ONNX_TYPE[dtype], dims: [...dims] };
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.external && bytes.byteLength >= this.external.minBytes) {
      // One write call is capped at 2 GiB, and Emu3-8B's fp32 embedding alone is 3 GB.
      for (let at = 0; at < bytes.byteLength; at += MAX_WRITE_BYTES) {
        writeSync(this.external.fd, bytes.subarray(at, Math.min(at + MAX_WRITE_BYTES, bytes.byteLength)));
      }
      tensor.dataLocation = proto.TensorProto.DataLocation.EXTERNAL;
      tensor.externalData = [
        { key: 'location', value: this.external.location },
        { key: 'offset', value: String(this.external.offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ];
      this.external.offset += bytes.byteLength;
    } else {
      tensor.rawData = bytes.slice();
    }
    this.initializers.push(tensor);
    return tensor.name as string;
  }

  /** A small int64 constant (shapes, axes, indices). */
  int64s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(this.unique(name), 'int64', dims, BigInt64Array.from(values.map(BigInt)));
  }

  /** A float32 constant. */
  float32s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(this.unique(name), 'float32', dims, Float32Array.from(values));
  }

  /**
   * Adds a node and returns its output names. `outputs` is a count (names are generated from `name`) or
   * explicit names (graph outputs). An empty string input means "optional input left out".
   */
  node(
    op: string,
    inputs: readonly string[],
    options: {
      outputs?: number | readonly string[];
      attrs?: Record<string, AttrValue>;
      domain?: 'com.microsoft';
      name?: string;
    } = {},
  ): string[] {
    const base = this.unique(options.name ?? op);
    this.nodeNames.add(base);
    const outputs =
      typeof options.outputs === 'object'
        ? options.outputs.map((output) => this.claim(output))
        : Array.from({ length: options.outputs ?? 1 }, (_, i) => this.claim(`${base}/out${i}`));
    if (options.domain) this.usesMicrosoftDomain = true;
    this.nodes.push({
      name: base,
      opType: op,
      domain: options.domain ?? '',
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(options.attrs ?? {}).map(([key, value]) => attribute(key, value)),
    });
    return outputs;
  }

  /** A node with exactly one output. */
  op(op: string, inputs: readonly string[], attrs?: Record<string, AttrValue>, name?: string): string {
    const [output] = this.node(op, inputs, { attrs, name });
    return output as string;
  }

  /** Serializes the model; closes the external data file, if any. Call once. */
  build(): Uint8Array {
    if (this.external) {
      closeSync(this.external.fd);
      this.external = undefined;
    }
    const opsetImport: onnx.IOperatorSetIdProto[] = [
      { domain: '', version: this.options.opset ?? DEFAULT_OPSET },
    ];
    if (this.usesMicrosoftDomain) opsetImport.push({ domain: MICROSOFT_DOMAIN, version: 1 });
    const model = proto.ModelProto.create({
      irVersion: 10,
      producerName: 'emu3-studio',
      opsetImport,
      graph: {
        name: this.options.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return proto.ModelProto.encode(model).finish();
  }

  private claim(name: string): string {
    if (this.usedNames.has(name))
      throw new InternalError(`graph ${this.options.name}: duplicate name ${name}`);
    this.usedNames.add(name);
    return name;
  }

  private unique(name: string): string {
    let candidate = name;
    const taken = (name: string) =>
      this.usedNames.has(name) || this.usedNames.has(`${name}/out0`) || this.nodeNames.has(name);
    for (let i = 1; taken(candidate); i++) candidate = `${name}_${i}`;
    return candidate;
  }
}

function valueInfo(name: string, dtype: DType, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[dtype],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const { AttributeType } = proto.AttributeProto;
  if (value instanceof FloatAttr) {
    return typeof value.value === 'number'
      ? { name, type: AttributeType.FLOAT, f: value.value }
      : { name, type: AttributeType.FLOATS, floats: [...value.value] };
  }
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.INTS, ints: [...value] };
}
