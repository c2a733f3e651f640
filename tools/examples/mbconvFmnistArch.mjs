// The 5.5 M multiply-add MBConv network (SE, hswish) of the Fashion-MNIST example, shared with the
// data-parallel bench.
export const MBCONV_FMNIST_ARCH = {
  name: 'mbconv-fmnist',
  inputSize: 28,
  inputChannels: 1,
  blocks: [
    { op: 'conv', channels: 16, kernel: 3 },
    { op: 'ir', channels: 16, kernel: 3, expansion: 1 },
    { op: 'ir', channels: 24, kernel: 3, expansion: 4, stride: 2 },
    { op: 'ir', channels: 24, kernel: 3, expansion: 3 },
    { op: 'ir', channels: 40, kernel: 5, expansion: 4, stride: 2, se: { gate: 'hsigmoid' }, activation: 'hswish' },
    { op: 'ir', channels: 40, kernel: 5, expansion: 3, se: { gate: 'hsigmoid' }, activation: 'hswish' },
    { op: 'ir', channels: 64, kernel: 3, expansion: 4, activation: 'hswish' },
    { op: 'conv', channels: 256, kernel: 1, activation: 'hswish' },
    { op: 'pool' },
    { op: 'fc', channels: 10 },
  ],
};
