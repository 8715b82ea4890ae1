/**
 * WebGL feature test without three.js, so the page can decide before downloading the 3D chunk.
 * three.js 0.163+ renders with WebGL 2 only, so that is what we ask for.
 */

/** What the probe found. */
export interface WebGLProbe {
	/** A WebGL 2 context could be created. */
	supported: boolean;
	/** The context is drawn by the CPU (SwiftShader, llvmpipe …): keep pixels few and skip MSAA. */
	software: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** Creates a throw-away WebGL 2 context and reports what it is. Unsupported during SSR. */
export function probeWebGL(): WebGLProbe {
	if (typeof document === 'undefined') return { supported: false, software: false };
	try {
		const canvas = document.createElement('canvas');
		const gl = canvas.getContext('webgl2');
		if (!gl) return { supported: false, software: false };
		const info = gl.getExtension('WEBGL_debug_renderer_info');
		const renderer = String(
			gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? ''
		);
		// Give the probe context back at once; browsers cap live contexts at about 16.
		gl.getExtension('WEBGL_lose_context')?.loseContext();
		return { supported: true, software: SOFTWARE.test(renderer) };
	} catch {
		return { supported: false, software: false };
	}
}

/** True when this browser can create a WebGL 2 context. False during SSR. */
export function isWebGLAvailable(): boolean {
	return probeWebGL().supported;
}
