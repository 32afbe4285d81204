// Reference outputs from transformers.js for model folders written by Pipeline.StandInModels (or real exports).
//
// Reads ONE JSON request on stdin, writes ONE JSON response on stdout, exits 0. On any failure it writes the error to
// stderr and exits 1 (stdout stays empty). Requests (all paths absolute):
//   {"task":"clip-image","model":"/abs/folder","images":["/abs/a.png",...],"return_pixel_values":true?,"dtype":"q8"?}
//     -> {"embeddings":[[...]], "pixel_values_shape":[N,3,H,W], "pixel_values_shapes":[[3,H,W],...],
//         "pixel_values":"<base64 float32 LE, the images' CHW tensors one after the other>"?}
//   {"task":"clip-text","model":"/abs/folder","texts":["...",...]}
//     -> {"input_ids":[[...]], "attention_mask":[[...]], "embeddings":[[...]]}
//   {"task":"caption","model":"/abs/folder","images":[...],"max_new_tokens":N?,"return_pixel_values":true?}
//     -> {"token_ids":[[...]], "texts":["..."], "pixel_values_shape":[N,3,H,W] or null when sizes differ,
//         "pixel_values_shapes":[[3,H,W],...], "pixel_values":"..."?}
//   {"task":"florence","model":"/abs/folder","images":[...],"tasks":["<CAPTION>","<OD>",...],"max_new_tokens":N?,
//    "num_beams":1?,"dtype":"fp32"?,"return_pixel_values":true?}
//     -> {"results":[{"image":"/abs/a.png","image_size":[W,H],"task":"<OD>","prompt":"Locate the objects ...",
//          "prompt_ids":[...],"generated_ids":[...],"text":"</s><s>...</s>","post_processed":{"<OD>":{...}},
//          "pixel_values_shape":[1,3,768,768]}, ...],  (image-major: every task of the first image, then the next)
//         "pixel_values_shapes":[[3,768,768],...], "pixel_values":"..."?}  (each image's tensor once, in request order)
//     Florence2ForConditionalGeneration + AutoProcessor, batch 1, greedy: generated_ids as generate() returns them
//     (decoder start token first), text = batch_decode(skip_special_tokens: false), post_processed =
//     processor.post_process_generation(text, task, image.size) with the size as [width, height].
//   {"task":"unigram-tokenize","model":"/abs/folder","texts":["...",...],"length":77}
//     -> {"transformers_ids":[[...]], "transformers_normalized":["..."], "hf_ids":[[...]], "hf_normalized":["..."],
//         "hf_padded_ids":[[...]], "hf_padded_mask":[[...]]}
//     The folder's tokenizer.json through transformers.js (AutoTokenizer, add_special_tokens) and through Hugging Face
//     `tokenizers` (the Rust library Immich runs, npm package "tokenizers"): ids without padding, and Rust's ids and
//     mask padded and truncated to "length" as Immich's M-CLIP encoder sets it up. "*_normalized" are each library's
//     normalizer output (transformers.js approximates SentencePiece's charsmap with NFKC; Rust applies the charsmap).
// Images are preprocessed one at a time: transformers.js' processor, given several images whose processed sizes
// differ (an integer "size" keeps the aspect ratio), stacks them into a wrong tensor without an error.
// Every response also carries "versions" and "timings_ms". Embeddings are the raw model outputs (image_embeds /
// text_embeds), NOT normalised. Models run on the CPU (onnxruntime-node) in fp32, or the request's "dtype" ("q8" picks
// the *_quantized.onnx files, see transformers.js utils/dtypes.js); nothing is fetched from a network.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
    started, imported, transformers, FILE_OPTIONS, modelOptions, fail, absoluteFolder, requireFiles, absoluteFiles,
    loading, rows, idRows, preprocessEach, stack, pixelFields,
} from './shared.mjs';

const {
    env, AutoProcessor, AutoTokenizer, AutoModelForVision2Seq, CLIPVisionModelWithProjection, CLIPTextModelWithProjection,
    Florence2ForConditionalGeneration, RawImage,
} = transformers;

async function clipImage(request, timings) {
    const folder = absoluteFolder(request);
    const images = absoluteFiles(request.images, 'images');
    let t = performance.now();
    const [processor, model] = await Promise.all([
        loading('the image processor', folder, () => AutoProcessor.from_pretrained(folder, FILE_OPTIONS)),
        loading('CLIPVisionModelWithProjection', folder, () => CLIPVisionModelWithProjection.from_pretrained(folder, modelOptions(request))),
    ]);
    timings.load = performance.now() - t;

    t = performance.now();
    const tensors = await preprocessEach(processor, images);
    const pixel_values = stack(tensors, images, true);
    timings.preprocess = performance.now() - t;

    t = performance.now();
    const { image_embeds } = await model({ pixel_values });
    timings.run = performance.now() - t;
    if (!image_embeds) fail(`the model in ${folder} returned no image_embeds`);
    await model.dispose();
    return { embeddings: rows(image_embeds), ...pixelFields(request, tensors, pixel_values) };
}

async function clipText(request, timings) {
    const folder = absoluteFolder(request);
    const texts = request.texts;
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((x) => typeof x !== 'string')) {
        fail('"texts" must be a non-empty array of strings');
    }
    requireFiles(folder, 'clip-text', ['tokenizer.json', 'tokenizer_config.json']);
    let t = performance.now();
    const [tokenizer, model] = await Promise.all([
        loading('the tokenizer', folder, () => AutoTokenizer.from_pretrained(folder, FILE_OPTIONS)),
        loading('CLIPTextModelWithProjection', folder, () => CLIPTextModelWithProjection.from_pretrained(folder, modelOptions(request))),
    ]);
    timings.load = performance.now() - t;

    t = performance.now();
    const inputs = tokenizer(texts, { padding: true, truncation: true });
    timings.tokenize = performance.now() - t;

    t = performance.now();
    // The model picks the inputs its graph declares (the Xenova text_model has input_ids only).
    const { text_embeds } = await model(inputs);
    timings.run = performance.now() - t;
    if (!text_embeds) fail(`the model in ${folder} returned no text_embeds`);
    await model.dispose();
    return {
        input_ids: idRows(inputs.input_ids),
        attention_mask: idRows(inputs.attention_mask),
        embeddings: rows(text_embeds),
    };
}

async function caption(request, timings) {
    const folder = absoluteFolder(request);
    const images = absoluteFiles(request.images, 'images');
    requireFiles(folder, 'caption', ['tokenizer.json', 'tokenizer_config.json']);
    let t = performance.now();
    const [processor, tokenizer, model] = await Promise.all([
        loading('the image processor', folder, () => AutoProcessor.from_pretrained(folder, FILE_OPTIONS)),
        loading('the tokenizer', folder, () => AutoTokenizer.from_pretrained(folder, FILE_OPTIONS)),
        loading('AutoModelForVision2Seq', folder, () => AutoModelForVision2Seq.from_pretrained(folder, modelOptions(request))),
    ]);
    timings.load = performance.now() - t;

    t = performance.now();
    const tensors = await preprocessEach(processor, images);
    timings.preprocess = performance.now() - t;

    // As the image-to-text pipeline does: one generate() per image, greedy, then batch_decode(skip_special_tokens)
    // and trim. Only greedy settings are forced; the rest (max_length, repetition_penalty, no_repeat_ngram_size,
    // bad_words_ids, eos/start ids) comes from config.json and generation_config.json.
    const generation = { do_sample: false, num_beams: 1 };
    if (request.max_new_tokens !== undefined && request.max_new_tokens !== null) {
        if (!Number.isInteger(request.max_new_tokens) || request.max_new_tokens < 1) fail('"max_new_tokens" must be a positive integer');
        generation.max_new_tokens = request.max_new_tokens;
    }

    t = performance.now();
    const token_ids = [];
    const texts = [];
    for (const [i, one] of tensors.entries()) {
        let output;
        try {
            output = await model.generate({ inputs: one, ...generation });
        } catch (e) {
            throw new Error(`generate() failed for ${images[i]} (pixel_values ${JSON.stringify(one.dims)}): ${e?.message ?? e}`, { cause: e });
        }
        const ids = idRows(output);
        token_ids.push(ids[0]);
        texts.push(tokenizer.batch_decode(output, { skip_special_tokens: true })[0].trim());
    }
    timings.run = performance.now() - t;
    await model.dispose();
    return { token_ids, texts, ...pixelFields(request, tensors, stack(tensors, images, false)) };
}

async function florence(request, timings) {
    const folder = absoluteFolder(request);
    const images = absoluteFiles(request.images, 'images');
    const tasks = request.tasks;
    if (!Array.isArray(tasks) || tasks.length === 0 || tasks.some((x) => typeof x !== 'string')) {
        fail('"tasks" must be a non-empty array of task tokens such as "<OD>"');
    }
    requireFiles(folder, 'florence', ['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json']);
    let t = performance.now();
    const [processor, model] = await Promise.all([
        loading('the Florence-2 processor', folder, () => AutoProcessor.from_pretrained(folder, FILE_OPTIONS)),
        loading('Florence2ForConditionalGeneration', folder, () => Florence2ForConditionalGeneration.from_pretrained(folder, modelOptions(request))),
    ]);
    timings.load = performance.now() - t;

    // Greedy (transformers.js implements no beam search: num_beams > 1 would still take the arg-max); the rest
    // (no_repeat_ngram_size 3, forced BOS and EOS, decoder start) comes from config.json and generation_config.json.
    const num_beams = request.num_beams ?? 1;
    if (num_beams !== 1) fail('"num_beams" must be 1: transformers.js decodes greedily');
    const generation = { do_sample: false, num_beams };
    if (request.max_new_tokens !== undefined && request.max_new_tokens !== null) {
        if (!Number.isInteger(request.max_new_tokens) || request.max_new_tokens < 1) fail('"max_new_tokens" must be a positive integer');
        generation.max_new_tokens = request.max_new_tokens;
    }

    t = performance.now();
    const results = [];
    const tensors = [];
    for (const file of images) {
        const image = await RawImage.read(file);
        for (const task of tasks) {
            // One image and one task at a time (batch 1), as the Florence-2 examples run it.
            const inputs = await processor(image, task);
            if (task === tasks[0]) tensors.push(inputs.pixel_values);
            let output;
            try {
                output = await model.generate({ ...inputs, ...generation });
            } catch (e) {
                throw new Error(`generate() failed for ${file} ${task}: ${e?.message ?? e}`, { cause: e });
            }
            const text = processor.batch_decode(output, { skip_special_tokens: false })[0];
            results.push({
                image: file,
                image_size: image.size,
                task,
                prompt: processor.construct_prompts(task)[0],
                prompt_ids: idRows(inputs.input_ids)[0],
                generated_ids: idRows(output)[0],
                text,
                post_processed: processor.post_process_generation(text, task, image.size),
                pixel_values_shape: inputs.pixel_values.dims,
            });
        }
    }
    timings.run = performance.now() - t;
    await model.dispose();
    return { results, ...pixelFields(request, tensors, null) };
}

function packageVersion(name) {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

async function unigramTokenize(request, timings) {
    const folder = absoluteFolder(request);
    const texts = request.texts;
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((x) => typeof x !== 'string')) {
        fail('"texts" must be a non-empty array of strings');
    }
    const length = request.length ?? 77;
    requireFiles(folder, 'unigram-tokenize', ['tokenizer.json', 'tokenizer_config.json']);
    let t = performance.now();
    const js = await loading('the tokenizer', folder, () => AutoTokenizer.from_pretrained(folder, FILE_OPTIONS));
    const { Tokenizer } = await import('tokenizers');
    const rust = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
    const padded = Tokenizer.fromFile(path.join(folder, 'tokenizer.json'));
    const padId = padded.tokenToId(js.pad_token);
    padded.setTruncation(length);
    padded.setPadding({ maxLength: length, padId, padToken: js.pad_token });
    timings.load = performance.now() - t;

    t = performance.now();
    const jsNormalizer = js._tokenizer?.normalizer ?? fail('transformers.js tokenizer exposes no normalizer');
    const rustNormalizer = rust.getNormalizer();
    const result = { transformers_ids: [], transformers_normalized: [], hf_ids: [], hf_normalized: [], hf_padded_ids: [], hf_padded_mask: [] };
    for (const text of texts) {
        result.transformers_ids.push(js.encode(text));
        result.transformers_normalized.push(jsNormalizer(text));
        result.hf_ids.push((await rust.encode(text)).getIds());
        result.hf_normalized.push(rustNormalizer ? rustNormalizer.normalizeString(text) : text);
        const encoding = await padded.encode(text);
        result.hf_padded_ids.push(encoding.getIds());
        result.hf_padded_mask.push(encoding.getAttentionMask());
    }
    timings.tokenize = performance.now() - t;
    return result;
}

const TASKS = { 'clip-image': clipImage, 'clip-text': clipText, caption, florence, 'unigram-tokenize': unigramTokenize };

async function main() {
    const input = readFileSync(0, 'utf8');
    let request;
    try {
        request = JSON.parse(input);
    } catch (e) {
        fail(`stdin is not a JSON request: ${e.message}`);
    }
    const handler = TASKS[request?.task] ?? fail(`unknown task ${JSON.stringify(request?.task)}; expected one of ${Object.keys(TASKS).join(', ')}`);

    const timings = { import: imported - started };
    const result = await handler(request, timings);
    timings.total = performance.now() - started;
    const versions = {
        transformers: env.version, onnxruntime: env.backends.onnx?.versions?.node ?? null, node: process.versions.node,
        ...(request.task === 'unigram-tokenize' ? { hf_tokenizers: packageVersion('tokenizers') } : {}),
    };
    return { task: request.task, ...result, versions, timings_ms: timings };
}

try {
    const response = await main();
    process.stdout.write(JSON.stringify(response));
    process.stdout.write('\n', () => process.exit(0));
} catch (e) {
    process.stderr.write(`reference.mjs: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
}
