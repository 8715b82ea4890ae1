/**
 * Greying out in the fragment shader (the failed state): one shared uniform patched into every
 * material of a head, the built-in one's and a loaded model's alike, so the face loses its
 * colour without touching the page around it.
 */
import type { Material, WebGLProgramParametersWithUniforms, WebGLRenderer } from 'three';

/** The shared uniform: 0 in full colour, 1 grey. */
export interface DesaturateUniform {
	value: number;
}

const GREY = /* glsl */ `#include <dithering_fragment>
	gl_FragColor.rgb = mix(
		gl_FragColor.rgb,
		vec3(dot(gl_FragColor.rgb, vec3(0.299, 0.587, 0.114))) * 0.9,
		uDesaturate
	);`;

/**
 * Patches `material` to mix its colour toward grey by `uniform`. A patch the material already
 * has (VRM's MToon adds its defines this way) runs first, and its program cache key is kept.
 */
export function greyable<M extends Material>(material: M, uniform: DesaturateUniform): M {
	const before = material.onBeforeCompile.bind(material);
	const key = material.customProgramCacheKey.bind(material);
	material.onBeforeCompile = (
		shader: WebGLProgramParametersWithUniforms,
		renderer: WebGLRenderer
	) => {
		before(shader, renderer);
		shader.uniforms.uDesaturate = uniform;
		shader.fragmentShader =
			'uniform float uDesaturate;\n' +
			shader.fragmentShader.replace('#include <dithering_fragment>', GREY);
	};
	// The same patch on every material, so equal keys still let three.js share programs.
	material.customProgramCacheKey = () => `${key()}|talkline-desaturate`;
	return material;
}
