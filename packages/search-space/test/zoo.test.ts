import { archStats, getZooArch, getZooReference, listZooArchs } from '../src';

describe('model zoo', () => {
  it('lists FBNet-A/B/C, FBNetV2-F1..F4/L1/L2, FBNetV3-A..G and MobileNetV2', () => {
    expect(listZooArchs()).toEqual([
      'fbnet_a', 'fbnet_b', 'fbnet_c',
      'FBNetV2_F1', 'FBNetV2_F2', 'FBNetV2_F3', 'FBNetV2_F4', 'FBNetV2_L1', 'FBNetV2_L2',
      'FBNetV3_A', 'FBNetV3_B', 'FBNetV3_C', 'FBNetV3_D', 'FBNetV3_E', 'FBNetV3_F', 'FBNetV3_G',
      'mobilenet_v2',
    ]);
  });

  // One sweep over the zoo. Published parameter counts of mobile-vision models match BatchNorm folded
  // into the convs; MobileNetV2's paper value (3.4M) cannot be matched, so its reference is the exact
  // count of the same network (torchvision, 3,504,872) — see ZOO_REFERENCES.
  it.each(listZooArchs())('%s matches its published multiply-adds and params within 1%%', (name) => {
    const ref = getZooReference(name);
    const stats = archStats(getZooArch(name), { bnParams: ref.bnParams });
    expect(Math.abs(stats.macs / ref.macs - 1)).toBeLessThan(0.01);
    expect(Math.abs(stats.params / ref.params - 1)).toBeLessThan(0.01);
  });

  it('counts MobileNetV2 parameters exactly as torchvision does', () => {
    expect(archStats(getZooArch('mobilenet_v2')).params).toBe(3504872);
  });

  it('names the known models when asked for an unknown one', () => {
    expect(() => getZooArch('fbnet_z')).toThrow(/fbnas.getZooArch: name "fbnet_z" is not in the zoo; known: fbnet_a, fbnet_b/);
  });
});
