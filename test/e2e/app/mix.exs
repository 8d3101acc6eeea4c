# A minimal release used only by the end-to-end test: no Hex dependencies, so it builds offline.
defmodule Shop.MixProject do
  use Mix.Project

  def project do
    [
      app: :shop,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: [],
      # EcsPeers and EcsEpmd are compiled from the files users copy, not from private copies.
      elixirc_paths: ["lib", Path.expand("../../../examples/elixir", __DIR__)],
      releases: [shop: release(System.get_env("SHOP_APP_ONLY") == "1")]
    ]
  end

  # SHOP_APP_ONLY=1: the app image of the init-container setup. Its rel/ is the one users copy
  # (examples/elixir/rel/env.sh.eex), and no overlay: no bin/entrypoint, no Node.js.
  defp release(false), do: [include_executables_for: [:unix], strip_beams: false]

  defp release(true) do
    rel = Path.expand("../../../examples/elixir/rel", __DIR__)
    release(false) ++ [rel_templates_path: rel, overlays: [], path: "_build/prod/rel/shop-app-only"]
  end

  def application do
    [extra_applications: [:logger, :ssl], mod: {Shop.Application, []}]
  end
end
