package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;

/**
 * Where the blocks get each weight, by its diffusers name and the shape the config implies: a checkpoint through a
 * {@link ParameterStore} ({@code store::load}), or a shape-only plan that allocates nothing
 * ({@link StableCascadeUNet#parameterShapes}).
 */
@FunctionalInterface
public interface WeightLoader {
  Parameter load(String name, long... shape);
}
