// Runs ONNX models with onnxruntime (CPU) for LayerLab's parity tests.
//
//   node run_ort.js JOB.json
//
// JOB.json: {"models": [{"path": "m.onnx", "runs": [{"input": "in.bin", "type": "float32" |
// "int64", "dims": [1, 28, 28], "output": "out.bin"}, …]}, …]}. Inputs and outputs are raw
// little-endian tensors; each run feeds the model's one input and writes its first output.
// Prints a JSON list with, per model, {"runs": [{"dims": […]}, …]} or {"error": "…"}.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readTensor(run) {
  const bytes = fs.readFileSync(run.input);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const data = run.type === 'int64' ? new BigInt64Array(buffer) : new Float32Array(buffer);
  return new ort.Tensor(run.type, data, run.dims);
}

async function runModel(model) {
  const session = await ort.InferenceSession.create(model.path, {
    logSeverityLevel: 3,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const runs = [];
  for (const run of model.runs) {
    const feeds = { [session.inputNames[0]]: readTensor(run) };
    const results = await session.run(feeds);
    const output = results[session.outputNames[0]];
    const data = output.data;
    fs.writeFileSync(run.output, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    runs.push({ dims: output.dims.map(Number), type: output.type });
  }
  return { runs };
}

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const report = [];
  for (const model of job.models) {
    try {
      report.push(await runModel(model));
    } catch (error) {
      report.push({ error: String((error && error.message) || error) });
    }
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + '\n');
  process.exit(1);
});
