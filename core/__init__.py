"""The engine of Batch & Epoch Lab: arithmetic, figures and training, with no Streamlit imports."""
