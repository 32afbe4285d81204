// Throughput of transformers.js on the same model folders and images as tests/Pipeline.Benchmarks, for the
// side-by-side table. Reads one JSON request on stdin, writes one JSON response on stdout:
//   {"clip":"/abs/folder"?, "captioner":"/abs/folder"?, "images":["/abs/a.png",...], "batch_sizes":[1,2,3,4,5],
//    "max_new_tokens":20, "dtype":"q8"?, "clip_dtype":"fp32"?, "intra_op_threads":0?,
//    "florence":"/abs/folder"?, "florence_tasks":["<CAPTION>","<OD>",...]?, "florence_dtype":"q8"?}
//   -> {"clip_image":[{"batch":1,"images":N,"seconds":s},...], "caption":[{...,"tokens":T},...],
//       "florence":[{"task":"<OD>","batch":1,"images":N,"seconds":s,"tokens":T},...], "versions":{...}, "session_options":{...}}
// Florence-2 runs one image at a time (the way its examples call generate()), greedy, each task on its own: the
// vision encoder runs inside every call.
// "dtype" picks the captioner's files ("q8": *_quantized.onnx; default fp32), "clip_dtype" the CLIP tower's (default
// fp32). "intra_op_threads" > 0 sets onnxruntime-node's intraOpNumThreads; 0 or absent leaves ONNX Runtime's default
// (one thread per physical core). "session_options" echoes what was passed to the sessions.
// Only the model calls are timed (images are preprocessed once, before), after one warm-up call per batch size.
// Captions are greedy, as transformers.js generates them (it has no beam search). "tokens" counts the generated tokens
// of the timed pass: per image, those after the start token up to and including the first EOS.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
    transformers, FILE_OPTIONS, modelOptions, fail, absoluteFolder, absoluteFiles, loading, preprocessEach, stack, idRows,
} from './shared.mjs';

const { env, AutoProcessor, AutoModelForVision2Seq, CLIPVisionModelWithProjection, Florence2ForConditionalGeneration, RawImage } = transformers;

/** Runs `call` on every batch of `tensors` (stacked `size` at a time) after one warm-up; returns the timed seconds. */
async function timeBatches(tensors, paths, size, call) {
    const batches = [];
    for (let i = 0; i < tensors.length; i += size) {
        batches.push(stack(tensors.slice(i, i + size), paths.slice(i, i + size), true));
    }
    await call(batches[0]);
    const t = performance.now();
    for (const batch of batches) await call(batch);
    return (performance.now() - t) / 1000;
}

/** Generated tokens per row of a generate() output: after the start token, up to and including the first EOS. */
function generatedTokens(sequences, eos) {
    return idRows(sequences).reduce((sum, row) => {
        const end = row.findIndex((id, i) => i > 0 && eos.includes(id));
        return sum + (end < 0 ? row.length : end + 1) - 1;
    }, 0);
}

async function clipImage(folder, images, sizes, options) {
    const [processor, model] = await Promise.all([
        loading('the image processor', folder, () => AutoProcessor.from_pretrained(folder, FILE_OPTIONS)),
        loading('CLIPVisionModelWithProjection', folder, () => CLIPVisionModelWithProjection.from_pretrained(folder, options)),
    ]);
    const tensors = await preprocessEach(processor, images);
    const results = [];
    for (const batch of sizes) {
        const seconds = await timeBatches(tensors, images, batch, (pixel_values) => model({ pixel_values }));
        results.push({ batch, images: images.length, seconds });
    }
    await model.dispose();
    return results;
}

async function caption(folder, images, sizes, maxNewTokens, options) {
    const [processor, model] = await Promise.all([
        loading('the image processor', folder, () => AutoProcessor.from_pretrained(folder, FILE_OPTIONS)),
        loading('AutoModelForVision2Seq', folder, () => AutoModelForVision2Seq.from_pretrained(folder, options)),
    ]);
    const tensors = await preprocessEach(processor, images);
    const generation = { do_sample: false, num_beams: 1, max_new_tokens: maxNewTokens };
    const eos = [model.generation_config?.eos_token_id ?? model.config.eos_token_id].flat().filter((id) => id != null);
    const results = [];
    for (const batch of sizes) {
        let tokens = 0;
        let warmedUp = false;
        const seconds = await timeBatches(tensors, images, batch, async (inputs) => {
            const sequences = await model.generate({ inputs, ...generation });
            // The first call is the warm-up; counting costs a little of the timed time, as little as the C# side's.
            if (warmedUp) tokens += generatedTokens(sequences, eos);
            warmedUp = true;
        });
        results.push({ batch, images: images.length, seconds, tokens });
    }
    await model.dispose();
    return results;
}

async function florence(folder, images, tasks, maxNewTokens, options) {
    const [processor, model] = await Promise.all([
        loading('the Florence-2 processor', folder, () => AutoProcessor.from_pretrained(folder, FILE_OPTIONS)),
        loading('Florence2ForConditionalGeneration', folder, () => Florence2ForConditionalGeneration.from_pretrained(folder, options)),
    ]);
    const generation = { do_sample: false, num_beams: 1, max_new_tokens: maxNewTokens };
    const eos = [model.generation_config?.eos_token_id ?? model.config.eos_token_id].flat().filter((id) => id != null);
    const results = [];
    for (const task of tasks) {
        // Preprocessed and tokenized once, before any timing: only generate() is timed.
        const inputs = [];
        for (const file of images) inputs.push(await processor(await RawImage.read(file), task));
        await model.generate({ ...inputs[0], ...generation });
        let tokens = 0;
        const t = performance.now();
        for (const input of inputs) tokens += generatedTokens(await model.generate({ ...input, ...generation }), eos);
        results.push({ task, batch: 1, images: images.length, seconds: (performance.now() - t) / 1000, tokens });
    }
    await model.dispose();
    return results;
}

try {
    const request = JSON.parse(readFileSync(0, 'utf8'));
    const images = absoluteFiles(request.images, 'images');
    const sizes = request.batch_sizes ?? [1, 2, 3, 4, 5];
    if (!Array.isArray(sizes) || sizes.some((b) => !Number.isInteger(b) || b < 1)) fail('"batch_sizes" must be positive integers');
    const threads = request.intra_op_threads ?? 0;
    if (!Number.isInteger(threads) || threads < 0) fail('"intra_op_threads" must be a non-negative integer');
    const session_options = { graphOptimizationLevel: 'all', ...(threads > 0 ? { intraOpNumThreads: threads } : {}) };
    const options = (dtype) => ({ ...modelOptions({ dtype }), session_options });
    const response = {};
    if (request.clip) {
        response.clip_image = await clipImage(absoluteFolder({ model: request.clip }), images, sizes, options(request.clip_dtype));
    }
    if (request.captioner) {
        response.caption = await caption(
            absoluteFolder({ model: request.captioner }), images, sizes, request.max_new_tokens ?? 20, options(request.dtype));
    }
    if (request.florence) {
        const tasks = request.florence_tasks ?? ['<CAPTION>'];
        response.florence = await florence(
            absoluteFolder({ model: request.florence }), images, tasks, request.max_new_tokens ?? 20, options(request.florence_dtype));
    }
    response.session_options = session_options;
    response.versions = { transformers: env.version, onnxruntime: env.backends.onnx?.versions?.node ?? null, node: process.versions.node };
    process.stdout.write(JSON.stringify(response) + '\n', () => process.exit(0));
} catch (e) {
    process.stderr.write(`bench.mjs: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
}
