// What reference.mjs and bench.mjs share: transformers.js locked to local files, request checks, loading and
// preprocessing helpers.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const started = performance.now();
export const transformers = await import('@huggingface/transformers');
export const imported = performance.now();
const { env, RawImage, Tensor } = transformers;

// Local files only: no hub, no cache folder inside node_modules, and any attempt at a download fails loudly.
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useFSCache = false;
env.useBrowserCache = false;
env.useWasmCache = false;
env.fetch = async (url) => {
    throw new Error(`transformers.js tried to fetch ${url}; the conformance harness allows local files only`);
};

export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'];
export const FILE_OPTIONS = Object.freeze({ local_files_only: true });

export function modelOptions(request) {
    const dtype = request.dtype ?? 'fp32';
    if (!DTYPES.includes(dtype)) fail(`"dtype" must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`);
    return { dtype, device: 'cpu', local_files_only: true };
}

export function fail(message) {
    throw new Error(message);
}

export function absoluteFolder(request) {
    const folder = request.model;
    if (typeof folder !== 'string' || !path.isAbsolute(folder)) {
        fail(`"model" must be an absolute folder path, got ${JSON.stringify(folder)}`);
    }
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
        fail(`model folder not found: ${folder}`);
    }
    return folder;
}

export function requireFiles(folder, task, files) {
    const missing = files.filter((f) => !existsSync(path.join(folder, f)));
    if (missing.length > 0) {
        fail(`${task}: model folder ${folder} lacks ${missing.join(', ')} (transformers.js ${env.version} needs them)`);
    }
}

export function absoluteFiles(list, name) {
    if (!Array.isArray(list) || list.length === 0) {
        fail(`"${name}" must be a non-empty array`);
    }
    for (const f of list) {
        if (typeof f !== 'string' || !path.isAbsolute(f)) fail(`"${name}" entries must be absolute paths, got ${JSON.stringify(f)}`);
        if (!existsSync(f)) fail(`file not found: ${f}`);
    }
    return list;
}

/** Runs `load`, prefixing any error with what was being loaded from where. */
export async function loading(what, folder, load) {
    try {
        return await load();
    } catch (e) {
        throw new Error(`loading ${what} from ${folder} failed: ${e?.message ?? e}`, { cause: e });
    }
}

/** [N, D] float tensor -> array of N plain arrays. */
export function rows(tensor) {
    const [n, d] = tensor.dims;
    if (tensor.dims.length !== 2) fail(`expected a 2-D tensor, got dims ${JSON.stringify(tensor.dims)}`);
    const out = [];
    for (let i = 0; i < n; i++) out.push(Array.from(tensor.data.subarray(i * d, (i + 1) * d)));
    return out;
}

/** int64 [N, L] tensor -> array of N arrays of numbers. */
export function idRows(tensor) {
    return tensor.tolist().map((row) => row.map((v) => Number(v)));
}

export function float32Base64(tensor) {
    if (tensor.type !== 'float32') fail(`expected float32 pixel_values, got ${tensor.type}`);
    const data = tensor.data;
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** Preprocesses each image on its own: [1,3,H,W] tensors, in order. */
export async function preprocessEach(processor, paths) {
    const tensors = [];
    for (const file of paths) {
        // RawImage.read on a path decodes with sharp (EXIF rotation applied), as the pipelines do.
        const { pixel_values } = await processor(await RawImage.read(file));
        tensors.push(pixel_values);
    }
    return tensors;
}

/** Stacks [1,3,H,W] tensors into [N,3,H,W]; null when their sizes differ, or an error if `required`. */
export function stack(tensors, paths, required) {
    const dims = tensors[0].dims;
    const other = tensors.findIndex((t) => t.dims.join() !== dims.join());
    if (other >= 0) {
        if (!required) return null;
        fail(`${paths[0]} was preprocessed to ${JSON.stringify(dims)} but ${paths[other]} to ${JSON.stringify(tensors[other].dims)}: cannot batch`);
    }
    const size = tensors[0].data.length;
    const data = new Float32Array(size * tensors.length);
    tensors.forEach((t, i) => data.set(t.data, i * size));
    return new Tensor('float32', data, [tensors.length, ...dims.slice(1)]);
}

export function pixelFields(request, tensors, batch) {
    const fields = { pixel_values_shape: batch?.dims ?? null, pixel_values_shapes: tensors.map((t) => t.dims.slice(1)) };
    if (request.return_pixel_values) {
        const data = new Float32Array(tensors.reduce((n, t) => n + t.data.length, 0));
        let offset = 0;
        for (const t of tensors) {
            data.set(t.data, offset);
            offset += t.data.length;
        }
        fields.pixel_values = float32Base64(new Tensor('float32', data, [data.length]));
    }
    return fields;
}

