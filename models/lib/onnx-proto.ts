// The subset of onnx.proto that OnAir's model scripts need to write ONNX files (field numbers as in
// onnx/onnx.proto), shared by the converters and the Piper stand-in generator.
import protobuf from 'protobufjs';

export const onnxProto = protobuf.parse(`
syntax = "proto3";
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message StringStringEntryProto { string key = 1; string value = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; repeated float float_data = 4; repeated int64 int64_data = 7; string name = 8; bytes raw_data = 9; }
message AttributeProto { string name = 1; float f = 2; int64 i = 3; bytes s = 4; repeated int64 ints = 8; int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message Dimension { int64 dim_value = 1; string dim_param = 2; }
message TensorShapeProto { repeated Dimension dim = 1; }
message TensorTypeProto { int32 elem_type = 1; TensorShapeProto shape = 2; }
message TypeProto { TensorTypeProto tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; string doc_string = 10; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; string producer_version = 3; string doc_string = 6; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; repeated StringStringEntryProto metadata_props = 14; }
`).root;

/** TensorProto.DataType */
export const FLOAT = 1;
export const INT64 = 7;
/** AttributeProto.AttributeType */
export const ATTR_FLOAT = 1;
export const ATTR_INT = 2;
export const ATTR_STRING = 3;
export const ATTR_INTS = 7;

export interface OnnxAttr {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
  s?: Uint8Array;
}
export const attrFloat = (name: string, f: number): OnnxAttr => ({ name, type: ATTR_FLOAT, f });
export const attrInt = (name: string, i: number): OnnxAttr => ({ name, type: ATTR_INT, i });
export const attrInts = (name: string, v: number[]): OnnxAttr => ({ name, type: ATTR_INTS, ints: v });
export const attrStr = (name: string, s: string): OnnxAttr => ({ name, type: ATTR_STRING, s: Buffer.from(s) });

/** A float tensor's type with named (`'N'`) or fixed dimensions. */
export const tensorType = (dims: (number | string)[]) => ({ tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } });

export interface ConvertedModel {
  producer: string;
  doc: string;
  source: string;
  license: string;
  graphName: string;
  nodes: unknown[];
  initializers: unknown[];
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
}

/** An opset-13 ONNX model with its provenance in the doc string and metadata. */
export function encodeModel(m: ConvertedModel): Uint8Array {
  const ModelProto = onnxProto.lookupType('ModelProto');
  return ModelProto.encode(
    ModelProto.fromObject({
      irVersion: 8,
      producerName: m.producer,
      producerVersion: '1',
      docString: m.doc,
      opsetImport: [{ domain: '', version: 13 }],
      metadataProps: [
        { key: 'source', value: m.source },
        { key: 'license', value: m.license },
      ],
      graph: {
        name: m.graphName,
        node: m.nodes,
        initializer: m.initializers,
        input: m.inputs.map((i) => ({ name: i.name, type: tensorType(i.dims) })),
        output: m.outputs.map((o) => ({ name: o.name, type: tensorType(o.dims) })),
      },
    }),
  ).finish();
}
