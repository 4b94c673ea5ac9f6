// A rejected promise nobody awaits (a mock returning the wrong shape, say) would otherwise hang
// the Pulumi runtime silently; make it fail the run instead.
process.on("unhandledRejection", (error) => {
  throw error;
});
