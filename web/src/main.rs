//! Entry point of the viewer: install the panic hook (a crash shows a message, never a blank page) and mount the
//! app. Nothing else lives here.

fn main() {
    idlens_web::install_panic_hook();
    leptos::mount::mount_to_body(idlens_web::App);
}
